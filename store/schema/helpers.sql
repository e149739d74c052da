-- Scalar helpers every layer's SQL uses. Idempotent, like every schema file: run at each read-write open.
CREATE OR REPLACE MACRO date_key_of(d) AS CAST(year(d) * 10000 + month(d) * 100 + day(d) AS INTEGER);
CREATE OR REPLACE MACRO date_of_key(k) AS make_date(CAST(k // 10000 AS BIGINT), CAST(k // 100 % 100 AS BIGINT), CAST(k % 100 AS BIGINT));

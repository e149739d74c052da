-- Scalar helpers every layer's SQL uses. Idempotent, like every schema file: run at each read-write open.
CREATE OR REPLACE MACRO date_key_of(d) AS CAST(year(d) * 10000 + month(d) * 100 + day(d) AS INTEGER);
CREATE OR REPLACE MACRO date_of_key(k) AS make_date(CAST(k // 10000 AS BIGINT), CAST(k // 100 % 100 AS BIGINT), CAST(k % 100 AS BIGINT));
-- Whether a platform is one of a mask's (bit platform_key - 1). Shifting the mask, not 1, is 3x faster over the
-- millions of rows a panel filters (measured at 50M events).
CREATE OR REPLACE MACRO on_platforms(platform_key, selected_mask) AS (selected_mask >> (platform_key - 1)) & 1 = 1;

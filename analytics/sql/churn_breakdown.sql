-- One row per (dimension, value) among the people of scored_people($platform_mask, $segment, $age_group): how many,
-- how many in the high and medium risk bands, the sum of their scores (expected churners) and its mean (expected
-- churn rate). dimension: segment, age_group and country (the person's on the scored day; 'unknown' when not known)
-- and platform: each selected platform the person used in the 28 days (someone on two counts under both).
WITH people AS (
    SELECT * FROM scored_people($platform_mask, $segment, $age_group)
),
labelled AS (
    SELECT 'segment' AS dimension, coalesce(segment, 'unknown') AS value, score, risk_band FROM people
    UNION ALL
    SELECT 'age_group', coalesce(age_group, 'unknown'), score, risk_band FROM people
    UNION ALL
    SELECT 'country', coalesce(country, 'unknown'), score, risk_band FROM people
    UNION ALL
    SELECT 'platform', p.platform_name, s.score, s.risk_band
    FROM people AS s
    JOIN dim_platform AS p
      ON on_platforms(p.platform_key, s.platform_mask_28) AND on_platforms(p.platform_key, $platform_mask)
)
SELECT dimension, value, CAST(count(*) AS BIGINT) AS people,
       CAST(count(*) FILTER (WHERE risk_band = 'high') AS BIGINT) AS high_risk,
       CAST(count(*) FILTER (WHERE risk_band = 'medium') AS BIGINT) AS medium_risk,
       list_sum(list(score ORDER BY score)) AS expected_churners,
       list_avg(list(score ORDER BY score)) AS expected_churn_rate  -- summed in one order: the same digits every run
FROM labelled
GROUP BY ALL
ORDER BY dimension, people DESC, value;

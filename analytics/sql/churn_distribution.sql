-- One row per score bin of width 0.05 (0 = [0, 0.05) ... 19 = [0.95, 1]) holding someone of
-- scored_people($platform_mask, $segment, $age_group), and risk band: the people in it and the sum of their scores
-- (expected churners). The bands' edges (0.2, 0.5) are edges of bins.
SELECT CAST(least(floor(score * 20), 19) AS INTEGER) AS score_bin, risk_band,
       CAST(count(*) AS BIGINT) AS people, list_sum(list(score ORDER BY score)) AS expected_churners
FROM scored_people($platform_mask, $segment, $age_group)
GROUP BY ALL
ORDER BY score_bin, risk_band;

-- One row: users active in the 28 days ending on the last loaded day whose engagement score (engagement_l28, the
-- definition agg_user_engagement shows) is missing or outside [$min, $max]. A user not active in them scores 0, so
-- only those 28 days are read, whatever the length of the history.
SELECT count(*) FILTER (WHERE engagement_score IS NULL OR engagement_score < $min OR engagement_score > $max)
           AS observed,
       'range ' || min(engagement_score) || ' .. ' || max(engagement_score) AS detail
FROM engagement_l28(data_last_day());

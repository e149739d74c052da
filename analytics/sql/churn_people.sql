-- One row per person of scored_people($platform_mask, $segment, $age_group), the $limit highest scores first (ties:
-- the lower user_id): score, risk band, reasons, the platforms they used in the 28 days, and every feature of the
-- scored day.
SELECT s.user_id, s.score, s.risk_band, array_to_string(s.reasons, '; ') AS reasons,
       (SELECT string_agg(p.platform_name, ', ' ORDER BY p.platform_key) FROM dim_platform AS p
        WHERE on_platforms(p.platform_key, s.platform_mask_28)) AS platforms,
       s.segment, s.age_group, s.country, s.device, s.top_platform, s.top_platform_share, s.recency_days,
       s.active_days_7, s.active_days_28, s.events_7, s.events_28, s.activity_trend, s.events_trend, s.sessions_28,
       s.events_per_session_28, s.platforms_7, s.platforms_28, s.funnel_depth_28, s.tenure_days,
       s.attribute_changes_28, strftime(s.snapshot_date, '%Y-%m-%d') AS scored_day, s.model_id
FROM scored_people($platform_mask, $segment, $age_group) AS s
ORDER BY s.score DESC, s.user_id
LIMIT $limit;

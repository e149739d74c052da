-- The batch's data-quality profile: one row per metric (rows, and rows missing / invalid per column), which the
-- staging checks compare with their thresholds. Conditions are counted independently of reject_reason.
INSERT INTO stg_profile
UNPIVOT (
    SELECT 'stg_events' AS table_name,
           count(*) AS rows,
           count(*) FILTER (WHERE event_id IS NULL) AS missing_event_id,
           count(*) FILTER (WHERE user_id IS NULL) AS missing_user_id,
           count(*) FILTER (WHERE platform IS NULL) AS missing_platform,
           count(*) FILTER (WHERE event_type IS NULL) AS missing_event_type,
           count(*) FILTER (WHERE event_ts IS NULL) AS missing_event_ts,
           count(*) FILTER (WHERE session_id IS NULL) AS missing_session_id,
           count(*) FILTER (WHERE device IS NULL) AS missing_device,
           count(*) FILTER (WHERE country IS NULL) AS missing_country,
           count(*) FILTER (WHERE platform IS NOT NULL AND platform_key IS NULL) AS invalid_platform,
           count(*) FILTER (WHERE event_type IS NOT NULL AND event_type_key IS NULL) AS invalid_event_type,
           count(*) FILTER (WHERE device IS NOT NULL AND NOT list_contains($devices, device)) AS invalid_device,
           count(*) FILTER (WHERE country IS NOT NULL AND NOT list_contains($countries, country)) AS invalid_country,
           count(*) FILTER (WHERE CAST(event_ts AS DATE) <> event_date) AS outside_partition,
           count(*) FILTER (WHERE event_ts > $as_of) AS in_future,
           count(*) FILTER (WHERE reject_reason = 'duplicate event_id') AS duplicate_key,
           count(*) FILTER (WHERE reject_reason = 'user unknown at event_ts') AS unknown_user,
           count(*) FILTER (WHERE reject_reason IS NOT NULL) AS quarantined
    FROM stg_events
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME metric VALUE value;

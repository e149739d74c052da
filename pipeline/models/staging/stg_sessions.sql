-- One row per session of a user version on a platform and day, of the staged batch's loadable events: the input
-- of agg_user_activity_daily, counted while the batch is in memory.
INSERT INTO stg_sessions
SELECT event_date, date_key, platform_key, user_key, user_id, session_id, count(*)
FROM stg_events
WHERE reject_reason IS NULL
GROUP BY ALL;

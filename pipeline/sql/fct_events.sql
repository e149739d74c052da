-- Publish one staged batch: loadable rows into fct_events, rejected rows (with why) into quarantine_events.
INSERT INTO fct_events
SELECT event_id, session_id, event_ts, date_key, user_key, user_id, platform_key, event_type_key, device, country
FROM stg_events
WHERE reject_reason IS NULL;

INSERT INTO quarantine_events
SELECT $run_id, event_date, source_file, reject_reason, event_id, user_id, platform, event_type, event_ts,
       session_id, device, country, $now
FROM stg_events
WHERE reject_reason IS NOT NULL;

-- The batch's sessions, for agg_user_activity_daily (counted here, while the batch is in memory).
INSERT INTO run_sessions
SELECT event_date, date_key, platform_key, user_key, user_id, session_id, count(*)
FROM stg_events
WHERE reject_reason IS NULL
GROUP BY ALL;

-- The batch's funnel events (view .. create), with the user's segment at the event's time.
INSERT INTO fct_funnel_events
SELECT s.date_key, s.user_id, s.platform_key, u.segment, t.funnel_step, s.event_ts
FROM stg_events AS s
JOIN dim_event_type AS t USING (event_type_key)
JOIN dim_users AS u USING (user_key)
WHERE s.reject_reason IS NULL AND t.funnel_step IS NOT NULL;

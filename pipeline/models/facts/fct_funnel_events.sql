-- One row per funnel event (view, like, comment, share or create) of the days of the pass (pass_days), rebuilt
-- from fct_events with the user's segment and age group at the event's time and that user version's key (a
-- re-pointed day may have another version now), and the event's device.
-- Stored by day, then step: a funnel reading one step skips the row groups of the others.
DELETE FROM fct_funnel_events
WHERE date_key IN (SELECT date_key FROM pass_days);

INSERT INTO fct_funnel_events (date_key, user_id, platform_key, segment, step, event_ts, user_key, device, age_group)
SELECT f.date_key, f.user_id, f.platform_key, u.segment, t.funnel_step, f.event_ts, f.user_key, f.device, u.age_group
FROM fct_events AS f
JOIN dim_event_type AS t USING (event_type_key)
JOIN dim_users AS u USING (user_key)
WHERE t.funnel_step IS NOT NULL
  AND f.date_key IN (SELECT date_key FROM pass_days)
ORDER BY f.date_key, t.funnel_step;

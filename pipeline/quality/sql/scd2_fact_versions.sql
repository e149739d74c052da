-- One row: fact rows in scope whose user_key is not the version of their user valid at their event_ts.
SELECT count(*) AS observed, 'e.g. event ' || min(f.event_id) AS detail
FROM fct_events AS f
LEFT JOIN dim_users AS u USING (user_key)
WHERE f.date_key IN (SELECT date_key_of(day) FROM dq_scope)
  AND (u.user_key IS NULL OR u.user_id <> f.user_id OR f.event_ts < u.valid_from OR f.event_ts >= u.valid_to);

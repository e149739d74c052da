-- One row per day with published facts, added to the days this run changed when the marts were built by an earlier
-- layout than 2 (marts_layout in store/schema/marts.sql). Layout 2 keys the marts by age group too, so the run then
-- rebuilds every mart from the facts, and records the layout it built.
INSERT INTO affected_dates
SELECT DISTINCT date_of_key(date_key) FROM fct_events WHERE (SELECT max(version) FROM marts_layout) < 2;

UPDATE marts_layout SET version = 2 WHERE version < 2;

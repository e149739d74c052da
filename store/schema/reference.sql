-- Reference dimensions from the seed CSVs (store/seeds): one row per platform, event type and country.
-- Keys are never renumbered: rows already present stay, rows new to the seeds are added.
INSERT INTO dim_platform
SELECT CAST(platform_key AS SMALLINT), platform_name, display_name, CAST(launched_year AS SMALLINT)
FROM read_csv($platforms_csv, header = true, all_varchar = true)
WHERE CAST(platform_key AS SMALLINT) NOT IN (SELECT platform_key FROM dim_platform);

INSERT INTO dim_event_type
SELECT CAST(event_type_key AS SMALLINT), event_type, CAST(nullif(funnel_step, '') AS TINYINT), description
FROM read_csv($event_types_csv, header = true, all_varchar = true)
WHERE CAST(event_type_key AS SMALLINT) NOT IN (SELECT event_type_key FROM dim_event_type);

INSERT INTO dim_country
SELECT country_code, iso3, country_name, region
FROM read_csv($countries_csv, header = true, all_varchar = true)
WHERE country_code NOT IN (SELECT country_code FROM dim_country);

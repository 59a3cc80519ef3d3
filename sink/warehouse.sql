-- sink/warehouse.sql - the e-commerce warehouse, in SQLite: valid
-- events, dead-letter events and data quality metrics as the ingest job
-- (scripts/ingest-pipeline) loads them, a micro-batch (a file) a
-- transaction, and the views its dashboards read.  The batch job
-- (scripts/batch-pipeline) adds its dead letters and a quality row a
-- run.  Load with:  sqlite3 warehouse.db < sink/warehouse.sql
-- (scripts/ingest-pipeline does, at each start: running it again keeps
-- the rows and makes the views anew).  sqlite-sink adds columns these
-- tables lack when new fields come.

PRAGMA journal_mode = WAL;

-- Valid events: the ecommerce schema's fields after cleanse --schema
-- ecommerce --dedup event_id --late-after 10m (upgraded to the latest
-- version, typed, enriched with total_amount and late_arrival), and the
-- file each came in.
CREATE TABLE IF NOT EXISTS ecommerce_events (
    event_id TEXT PRIMARY KEY,
    user_id INTEGER CHECK (user_id >= 0),
    event_type TEXT CHECK (event_type IN ('view', 'search', 'add_to_cart',
        'remove_from_cart', 'wishlist', 'purchase')),
    product_id TEXT,
    price REAL CHECK (price >= 0),
    event_time TEXT,
    event_time_date TEXT,
    session_id TEXT,
    category TEXT,
    quantity INTEGER CHECK (quantity >= 0),
    user_segment TEXT,
    device_type TEXT,
    browser TEXT,
    geo_country TEXT,
    geo_city TEXT,
    referrer TEXT,
    campaign_id TEXT,
    schema_version INTEGER,
    total_amount REAL,
    late_arrival INTEGER,
    source_file TEXT        -- the input file (the micro-batch)
);
CREATE INDEX IF NOT EXISTS ecommerce_events_time
    ON ecommerce_events (event_time);

-- Invalid events: cleanse's --reject file, a line a record, every
-- reason with it.
CREATE TABLE IF NOT EXISTS dead_letter_events (
    source TEXT,            -- file:line
    source_file TEXT,       -- the input file
    line INTEGER,           -- the record's line in it
    errors TEXT,            -- JSON: [{"rule": ..., "field": ...,
                            -- "message": ...}], "field" when the fault
                            -- is one field's
    record TEXT,            -- JSON: the record as it came (its cells, an
                            -- array, when it had no names)
    raw TEXT,               -- its text, when it could not be split
    batch_id INTEGER        -- the ingest job's batch (NULL: the batch
                            -- job's run)
);
CREATE INDEX IF NOT EXISTS dead_letter_events_file
    ON dead_letter_events (source_file);

-- Duplicates the ingest job dropped (cleanse --dedup): a record whose
-- event_id came before, in its batch or an earlier one.
CREATE TABLE IF NOT EXISTS duplicate_events (
    source TEXT,            -- file:line
    source_file TEXT,
    line INTEGER,
    event_id TEXT,          -- the key seen before
    record TEXT,            -- JSON: the record as it came
    batch_id INTEGER
);

-- Quality metrics: cleanse's --metrics line, one a batch (the ingest
-- job: a file) or a run (the batch job).
CREATE TABLE IF NOT EXISTS data_quality_metrics (
    time TEXT,
    program TEXT,
    schema TEXT,
    inputs TEXT,            -- JSON array
    "in" INTEGER,
    out INTEGER,
    rejected INTEGER,
    duplicates INTEGER,
    filtered INTEGER,       -- valid, and left out by --where
    validity_pct REAL,
    status TEXT,
    min_valid_pct REAL,
    rules TEXT,             -- JSON: rule -> records it rejected
    versions TEXT,          -- JSON: version -> records
    late INTEGER,
    alerts TEXT,            -- JSON array of texts
    seconds REAL,
    batch_id INTEGER,       -- the ingest job: 1, 2, ... a file taken
    source_file TEXT,       -- the ingest job: that file; its row here
                            -- marks it done
    latency_ms REAL,        -- the ingest job: file arrival -> committed
    health TEXT,            -- the ingest job: HEALTHY, DEGRADED (under
                            -- min_valid_pct valid), ERROR (the third
                            -- failed batch in a row), NO_DATA (empty)
    run TEXT,               -- the batch job: its run ID
    input_sha256 TEXT       -- the batch job: its input's digest
);
CREATE UNIQUE INDEX IF NOT EXISTS data_quality_metrics_file
    ON data_quality_metrics (source_file) WHERE batch_id IS NOT NULL;

-- Events, users and revenue by hour and event type.  Revenue is sales:
-- what purchases are worth (the e-commerce schema's analysis.revenue);
-- a view or a search sells nothing, so its revenue is 0.
-- (Made again: before, it summed the worth of every event.)
DROP VIEW IF EXISTS v_hourly_event_summary;
CREATE VIEW v_hourly_event_summary AS
SELECT strftime('%Y-%m-%d %H:00', event_time) AS hour,
       event_type,
       count(*) AS events,
       count(DISTINCT user_id) AS users,
       round(coalesce(sum(CASE WHEN event_type = 'purchase'
           THEN total_amount END), 0), 2) AS revenue
FROM ecommerce_events
GROUP BY 1, 2;

-- How each category sells: views, purchases, revenue, conversion.
DROP VIEW IF EXISTS v_category_performance;
CREATE VIEW v_category_performance AS
SELECT category,
       count(*) AS events,
       sum(event_type = 'view') AS views,
       sum(event_type = 'purchase') AS purchases,
       round(sum(CASE WHEN event_type = 'purchase' THEN total_amount END), 2)
           AS revenue,
       round(avg(price), 2) AS avg_price,
       round(100.0 * sum(event_type = 'purchase') /
           nullif(sum(event_type = 'view'), 0), 2) AS conversion_pct
FROM ecommerce_events
GROUP BY category;

-- Users, events and revenue by segment.
DROP VIEW IF EXISTS v_user_segment_analysis;
CREATE VIEW v_user_segment_analysis AS
SELECT user_segment,
       count(DISTINCT user_id) AS users,
       count(*) AS events,
       sum(event_type = 'purchase') AS purchases,
       round(sum(CASE WHEN event_type = 'purchase' THEN total_amount END), 2)
           AS revenue,
       round(sum(CASE WHEN event_type = 'purchase' THEN total_amount END) /
           nullif(count(DISTINCT user_id), 0), 2) AS revenue_per_user
FROM ecommerce_events
GROUP BY user_segment;

-- Data quality over time, with the rule that rejected the most; for
-- the ingest job a row a batch, with its file, latency and health.
DROP VIEW IF EXISTS v_data_quality_dashboard;
CREATE VIEW v_data_quality_dashboard AS
SELECT m.time, m.schema, m."in", m.out, m.rejected, m.duplicates,
       m.validity_pct, m.status, m.batch_id, m.source_file, m.latency_ms,
       m.health, m.alerts,
       (SELECT key FROM json_each(m.rules) ORDER BY value DESC, key
        LIMIT 1) AS top_rule,
       (SELECT max(value) FROM json_each(m.rules)) AS top_rule_rejects
FROM data_quality_metrics m
ORDER BY m.time, m.batch_id;

-- Dead letters by the rule they failed: a record counts once under each
-- rule among its reasons (two fields of the wrong type: once under
-- "type"), as cleanse's metrics count them.
DROP VIEW IF EXISTS v_dead_letters_by_rule;
CREATE VIEW v_dead_letters_by_rule AS
SELECT json_extract(e.value, '$.rule') AS rule,
       count(DISTINCT d.rowid) AS records
FROM dead_letter_events d, json_each(d.errors) e
GROUP BY 1;

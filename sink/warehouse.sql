-- sink/warehouse.sql - the warehouse seed 004 keeps in PostgreSQL, in
-- SQLite: valid events, dead-letter events and data quality metrics as
-- the pipelines load them (cleanse's output, its --reject file and its
-- --metrics lines, through sqlite-sink), and the views its dashboards
-- read.  Load with:  sqlite3 warehouse.db < sink/warehouse.sql
-- sqlite-sink adds columns these tables lack when new fields come.

PRAGMA journal_mode = WAL;

-- Valid events: the ecommerce schema's fields after cleanse --schema.
CREATE TABLE IF NOT EXISTS events (
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
    late_arrival INTEGER
);
CREATE INDEX IF NOT EXISTS events_time ON events (event_time);

-- Invalid events: cleanse's --reject file, a line a record.
CREATE TABLE IF NOT EXISTS dead_letter_events (
    source TEXT,            -- file:line
    errors TEXT,            -- JSON: [{"rule": ..., "message": ...}]
    record TEXT,            -- JSON: the record as it came
    fields TEXT,            -- JSON: its cells, when it had no names
    raw TEXT                -- its text, when it could not be split
);

-- Run metrics: cleanse's --metrics file, a line a run.
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
    alerts TEXT,            -- JSON array
    seconds REAL
);

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
FROM events
GROUP BY 1, 2;

-- How each category sells: views, purchases, revenue, conversion.
CREATE VIEW IF NOT EXISTS v_category_performance AS
SELECT category,
       count(*) AS events,
       sum(event_type = 'view') AS views,
       sum(event_type = 'purchase') AS purchases,
       round(sum(CASE WHEN event_type = 'purchase' THEN total_amount END), 2)
           AS revenue,
       round(avg(price), 2) AS avg_price,
       round(100.0 * sum(event_type = 'purchase') /
           nullif(sum(event_type = 'view'), 0), 2) AS conversion_pct
FROM events
GROUP BY category;

-- Users, events and revenue by segment.
CREATE VIEW IF NOT EXISTS v_user_segment_analysis AS
SELECT user_segment,
       count(DISTINCT user_id) AS users,
       count(*) AS events,
       sum(event_type = 'purchase') AS purchases,
       round(sum(CASE WHEN event_type = 'purchase' THEN total_amount END), 2)
           AS revenue,
       round(sum(CASE WHEN event_type = 'purchase' THEN total_amount END) /
           nullif(count(DISTINCT user_id), 0), 2) AS revenue_per_user
FROM events
GROUP BY user_segment;

-- Data quality over time, with the rule that rejected the most.
CREATE VIEW IF NOT EXISTS v_data_quality_dashboard AS
SELECT m.time, m.schema, m."in", m.out, m.rejected, m.duplicates,
       m.validity_pct, m.status,
       (SELECT key FROM json_each(m.rules) ORDER BY value DESC, key
        LIMIT 1) AS top_rule,
       (SELECT max(value) FROM json_each(m.rules)) AS top_rule_rejects
FROM data_quality_metrics m
ORDER BY m.time;

-- Dead letters by the rule they failed (a record counts under each).
CREATE VIEW IF NOT EXISTS v_dead_letters_by_rule AS
SELECT json_extract(e.value, '$.rule') AS rule, count(*) AS records
FROM dead_letter_events d, json_each(d.errors) e
GROUP BY 1;

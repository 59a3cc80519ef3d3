-- sink/warehouse-pg.sql - the e-commerce warehouse of sink/warehouse.sql,
-- in PostgreSQL: the same tables, checks, indexes and views (the views
-- give the same rows as SQLite's over the same data), with the tables
-- the realtime job (scripts/realtime-pipeline) makes before its sinks
-- open them.  Types are PostgreSQL's own: money NUMERIC(18,2) (the
-- schemas' decimals of scale 2, exact), times timestamptz, dates date,
-- flags boolean, JSON jsonb, ids SERIAL.  Running it again is harmless:
-- tables and indexes are made when missing (their rows kept), views
-- made anew.  It makes its objects in the first schema of search_path
-- (public unless set).  Load with:
--   psql -v ON_ERROR_STOP=1 -d 'postgresql://USER@HOST/DB' -f sink/warehouse-pg.sql
-- (a password from ~/.pgpass or PGPASSFILE, never the command line);
-- make install puts it beside warehouse.sql in PREFIX/share/sluice.
-- scripts/ingest-pipeline, scripts/batch-pipeline and
-- scripts/realtime-pipeline run it at each start when WAREHOUSE names a
-- PostgreSQL database.  pg-sink adds columns these tables lack when new
-- fields come.

SET client_min_messages = warning;

-- Valid events: the ecommerce schema's fields after cleanse --schema
-- ecommerce --dedup event_id --late-after 10m (upgraded to the latest
-- version, typed, enriched with total_amount and late_arrival), and the
-- file each came in.
CREATE TABLE IF NOT EXISTS ecommerce_events (
    event_id text PRIMARY KEY,
    user_id bigint CHECK (user_id >= 0),
    event_type text CHECK (event_type IN ('view', 'search', 'add_to_cart',
        'remove_from_cart', 'wishlist', 'purchase')),
    product_id text,
    price numeric(18,2) CHECK (price >= 0),
    event_time timestamptz,
    event_time_date date,
    session_id text,
    category text,
    quantity bigint CHECK (quantity >= 0),
    user_segment text,
    device_type text,
    browser text,
    geo_country text,
    geo_city text,
    referrer text,
    campaign_id text,
    schema_version bigint,
    total_amount numeric(18,2),
    late_arrival boolean,
    source_file text        -- the input file (the micro-batch)
);
CREATE INDEX IF NOT EXISTS ecommerce_events_time
    ON ecommerce_events (event_time);

-- Invalid events: cleanse's --reject file, a line a record, every
-- reason with it.  errors and record are json, not jsonb: a record is
-- kept as it came (its keys' order, and text jsonb refuses, such as
-- \u0000), as a dead letter must be.
CREATE TABLE IF NOT EXISTS dead_letter_events (
    source text,            -- file:line
    source_file text,       -- the input file
    line bigint,            -- the record's line in it
    errors json,            -- [{"rule": ..., "field": ..., "message":
                            -- ...}], "field" when the fault is one
                            -- field's
    record json,            -- the record as it came (its cells, an
                            -- array, when it had no names)
    raw text,               -- its text, when it could not be split
    batch_id bigint         -- the ingest job's batch (NULL: the batch
                            -- job's run)
);
CREATE INDEX IF NOT EXISTS dead_letter_events_file
    ON dead_letter_events (source_file);

-- Duplicates the ingest job dropped (cleanse --dedup): a record whose
-- event_id came before, in its batch or an earlier one.
CREATE TABLE IF NOT EXISTS duplicate_events (
    source text,            -- file:line
    source_file text,
    line bigint,
    event_id text,          -- the key seen before
    record json,            -- the record as it came
    batch_id bigint
);

-- Quality metrics: cleanse's --metrics line, one a batch (the ingest
-- job: a file) or a run (the batch job).
CREATE TABLE IF NOT EXISTS data_quality_metrics (
    time timestamptz,
    program text,
    schema text,
    inputs jsonb,           -- an array
    "in" bigint,
    out bigint,
    rejected bigint,
    duplicates bigint,
    filtered bigint,        -- valid, and left out by --where
    validity_pct double precision,
    status text,
    min_valid_pct double precision,
    rules jsonb,            -- rule -> records it rejected
    versions jsonb,         -- version -> records
    late bigint,
    alerts jsonb,           -- an array of texts
    seconds double precision,
    batch_id bigint,        -- the ingest job: 1, 2, ... a file taken
    source_file text,       -- the ingest job: that file; its row here
                            -- marks it done
    latency_ms double precision, -- the ingest job: file arrival ->
                            -- committed
    health text,            -- the ingest job: HEALTHY, DEGRADED (under
                            -- min_valid_pct valid), ERROR (the third
                            -- failed batch in a row), NO_DATA (empty)
    run text,               -- the batch job: its run ID
    input_sha256 text       -- the batch job: its input's digest
);
CREATE UNIQUE INDEX IF NOT EXISTS data_quality_metrics_file
    ON data_quality_metrics (source_file) WHERE batch_id IS NOT NULL;

-- The realtime job's windows (scripts/realtime-pipeline), upserted by
-- window and key as they update; created_at is when a window's row was
-- first written.  Money is exact: total_revenue the sum of final_amount,
-- avg_transaction_value rounded to the cent.
CREATE TABLE IF NOT EXISTS transactions_summary (
    id SERIAL PRIMARY KEY,
    window_start timestamptz NOT NULL,
    window_end timestamptz NOT NULL,
    store_id bigint NOT NULL,
    total_transactions bigint,
    total_revenue numeric(18,2),
    unique_customers bigint,
    avg_transaction_value numeric(18,2),
    created_at timestamptz DEFAULT now(),
    UNIQUE (window_start, store_id)
);
CREATE TABLE IF NOT EXISTS customer_activity (
    id SERIAL PRIMARY KEY,
    window_start timestamptz NOT NULL,
    window_end timestamptz NOT NULL,
    events bigint,
    active_customers bigint,
    created_at timestamptz DEFAULT now(),
    UNIQUE (window_start)
);
CREATE TABLE IF NOT EXISTS inventory_activity (
    id SERIAL PRIMARY KEY,
    window_start timestamptz NOT NULL,
    window_end timestamptz NOT NULL,
    warehouse text NOT NULL,
    updates bigint,
    net_quantity_change bigint,
    created_at timestamptz DEFAULT now(),
    UNIQUE (window_start, warehouse)
);

-- The views give the rows SQLite's do.  Where the dialects differ:
-- hours are UTC, as SQLite's strftime reckons them; a comparison summed
-- is cast to an integer (SQLite's is one), so a group of nulls sums to
-- null there too; keys sort bytewise (COLLATE "C", as SQLite's BINARY);
-- nulls sort first, as in SQLite.

-- Events, users and revenue by hour and event type.  Revenue is sales:
-- what purchases are worth (the e-commerce schema's analysis.revenue);
-- a view or a search sells nothing, so its revenue is 0.
CREATE OR REPLACE VIEW v_hourly_event_summary AS
SELECT to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:00') AS hour,
       event_type,
       count(*) AS events,
       count(DISTINCT user_id) AS users,
       round(coalesce(sum(CASE WHEN event_type = 'purchase'
           THEN total_amount END), 0), 2) AS revenue
FROM ecommerce_events
GROUP BY 1, 2;

-- How each category sells: views, purchases, revenue, conversion.
CREATE OR REPLACE VIEW v_category_performance AS
SELECT category,
       count(*) AS events,
       sum((event_type = 'view')::int) AS views,
       sum((event_type = 'purchase')::int) AS purchases,
       round(sum(CASE WHEN event_type = 'purchase' THEN total_amount END), 2)
           AS revenue,
       round(avg(price), 2) AS avg_price,
       round(100.0 * sum((event_type = 'purchase')::int) /
           nullif(sum((event_type = 'view')::int), 0), 2) AS conversion_pct
FROM ecommerce_events
GROUP BY category;

-- Users, events and revenue by segment.
CREATE OR REPLACE VIEW v_user_segment_analysis AS
SELECT user_segment,
       count(DISTINCT user_id) AS users,
       count(*) AS events,
       sum((event_type = 'purchase')::int) AS purchases,
       round(sum(CASE WHEN event_type = 'purchase' THEN total_amount END), 2)
           AS revenue,
       round(sum(CASE WHEN event_type = 'purchase' THEN total_amount END) /
           nullif(count(DISTINCT user_id), 0), 2) AS revenue_per_user
FROM ecommerce_events
GROUP BY user_segment;

-- Data quality over time, with the rule that rejected the most; for
-- the ingest job a row a batch, with its file, latency and health.
CREATE OR REPLACE VIEW v_data_quality_dashboard AS
SELECT m.time, m.schema, m."in", m.out, m.rejected, m.duplicates,
       m.validity_pct, m.status, m.batch_id, m.source_file, m.latency_ms,
       m.health, m.alerts,
       (SELECT key FROM jsonb_each(m.rules) ORDER BY value DESC,
        key COLLATE "C" LIMIT 1) AS top_rule,
       (SELECT max(value::numeric) FROM jsonb_each(m.rules)) AS top_rule_rejects
FROM data_quality_metrics m
ORDER BY m.time NULLS FIRST, m.batch_id NULLS FIRST;

-- Dead letters by the rule they failed: a record counts once under each
-- rule among its reasons (two fields of the wrong type: once under
-- "type"), as cleanse's metrics count them.
CREATE OR REPLACE VIEW v_dead_letters_by_rule AS
SELECT r.rule,
       count(*) AS records
FROM dead_letter_events d
CROSS JOIN LATERAL (SELECT DISTINCT e ->> 'rule' AS rule
    FROM json_array_elements(d.errors) e) r
GROUP BY 1;

# shellcheck shell=sh
# tests/dashboard-fixtures.sh - warehouses for the dashboard's tests, made
# with sqlite3 to the table contracts of the jobs that write them, until
# those jobs' scripts run in the tests (each function can then become a
# short run of scripts/realtime-pipeline or scripts/ingest-pipeline).
# Sourced by tests/dashboard.t and tests/dashboard-browser.t.

# realtime_fixture DB: the realtime retail job's warehouse.
# transactions_summary, exactly as the job makes it: 1-minute windows
# from 12:00 to 12:11 on 2026-01-10 for stores 101-105 (store 105 has no
# row yet in the last, open window), averages and money to the cent; and
# stream_metrics: two stream-window lines (the clock 12:11:00 then
# 12:11:30; the watermark 10 minutes behind: the windows ending after
# 12:01:30 are open; latency on the first line only), no chain row (the
# job still runs).
realtime_fixture() {
    sqlite3 "$1" <<'SQL'
CREATE TABLE transactions_summary (
    id INTEGER PRIMARY KEY,
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    store_id INTEGER NOT NULL,
    total_transactions INTEGER,
    total_revenue REAL,
    unique_customers INTEGER,
    avg_transaction_value REAL,
    created_at TEXT DEFAULT CURRENT_TIMESTAMP,
    UNIQUE(window_start, store_id)
);
WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 11),
    s(k) AS (SELECT 101 UNION ALL SELECT k + 1 FROM s WHERE k < 105),
    w AS (SELECT i, k, 5 + (i * 7 + k * 3) % 13 AS tx,
        round(((i * 37 + k * 11) % 900) + 100.25 + k / 100.0, 2) AS rev FROM m, s
        WHERE NOT (i = 11 AND k = 105))
INSERT INTO transactions_summary (window_start, window_end, store_id,
    total_transactions, total_revenue, unique_customers, avg_transaction_value)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', '2026-01-10 12:00:00', '+' || i || ' minutes'),
       strftime('%Y-%m-%dT%H:%M:%SZ', '2026-01-10 12:00:00', '+' || (i + 1) || ' minutes'),
       k, tx, rev, tx - (i + k) % 3, round(rev / tx, 2)
FROM w;
CREATE TABLE stream_metrics (time TEXT, program TEXT, events_in INTEGER,
    aggregated INTEGER, late_events INTEGER, rejected INTEGER, filtered INTEGER,
    watermark TEXT, events_per_sec INTEGER, latency_ms TEXT,
    latency_p50_ms TEXT, latency_p99_ms TEXT);
INSERT INTO stream_metrics VALUES
    ('2026-01-10T12:11:00.250000Z', 'stream-window', 900, 885, 6, 9, 0,
     '2026-01-10T12:01:00Z', 15, '480.2', '120.4', '480.2'),
    ('2026-01-10T12:11:30.500000Z', 'stream-window', 1000, 984, 6, 10, 0,
     '2026-01-10T12:01:30Z', 16, NULL, NULL, NULL);
SQL
}

# ingest_fixture DB [AGE]: the ingest job's warehouse, five batches of 100
# events (files batch-1.csv ... batch-5.csv), the last AGE seconds ago
# (default 2; a batch every 5 s before it): dead_letter_events with every
# reason ({rule, field, message}; one fault a record's, with no field),
# data_quality_metrics a row a batch whose rules count the dead letters,
# batch 3 DEGRADED with an alert, versions 1-3 (v1 and v2 migrated), and
# an empty ecommerce_events (its rows are not the dashboard's).
ingest_fixture() {
    age=${2:-2}
    sqlite3 "$1" <<SQL
CREATE TABLE ecommerce_events (event_id TEXT UNIQUE, user_id INTEGER,
    event_type TEXT, price REAL, event_time TEXT, category TEXT,
    total_amount REAL, schema_version INTEGER, source_file TEXT);
CREATE TABLE dead_letter_events (source TEXT, source_file TEXT, line INTEGER,
    errors TEXT, record TEXT, raw TEXT, batch_id INTEGER);
WITH RECURSIVE b(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM b WHERE id < 5),
    n(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM n WHERE j < 7),
    reasons(r, rule, field, message) AS (VALUES
        (0, 'price_non_negative', 'price', 'price -3.5 is below the minimum 0'),
        (1, 'event_time_required', 'event_time', 'event_time is required'),
        (2, 'type', 'event_time', 'event_time: "not-a-time" is not a timestamp'),
        (3, 'category_known', 'category', 'category "<b>x</b>" is not one of the allowed values'),
        (4, 'anonymous_only_browses', NULL, 'an anonymous user may only view or search'))
INSERT INTO dead_letter_events
SELECT 'batch-' || id || '.csv:' || (j * 13), 'batch-' || id || '.csv', j * 13,
       json_array(json_object('rule', rule, 'field', field, 'message', message)),
       json_object('event_id', 'e-' || id || '-' || j, 'price', -3.5),
       NULL, id
FROM b, n, reasons
WHERE j <= CASE id WHEN 3 THEN 7 ELSE 2 END AND r = (id + j) % 5
ORDER BY id, j;
CREATE TABLE data_quality_metrics (time TEXT, program TEXT, schema TEXT,
    inputs TEXT, "in" INTEGER, out INTEGER, rejected INTEGER,
    duplicates INTEGER, filtered INTEGER, validity_pct REAL, status TEXT,
    min_valid_pct REAL, rules TEXT, versions TEXT, late INTEGER, alerts TEXT,
    seconds REAL, batch_id INTEGER, source_file TEXT, latency_ms REAL,
    health TEXT);
WITH RECURSIVE b(bid) AS (SELECT 1 UNION ALL SELECT bid + 1 FROM b WHERE bid < 5),
    d AS (SELECT bid AS id, (SELECT count(*) FROM dead_letter_events WHERE batch_id = bid) AS rej,
        (SELECT json_group_object(rule, c) FROM (SELECT json_extract(e.value, '\$.rule') AS rule,
            count(*) AS c FROM dead_letter_events x, json_each(x.errors) e
            WHERE x.batch_id = bid GROUP BY 1)) AS rules FROM b)
INSERT INTO data_quality_metrics
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || ($age + (5 - id) * 5) || ' seconds'),
       'cleanse', 'ecommerce', json_array('batch-' || id || '.csv'), 100,
       100 - rej - id, rej, id, 0, round(100.0 * (100 - rej) / 100, 2),
       CASE WHEN id = 3 THEN 'DEGRADED' ELSE 'HEALTHY' END, 95.0, rules,
       json_object('1', id, '2', 2 * id, '3', 100 - 3 * id, 'unknown', 0), 0,
       CASE WHEN id = 3 THEN json_array('validity 93.00% is under 95%', 'rule category_known rejected 2.0% of records (2 of 100)')
            ELSE '[]' END,
       0.01, id, 'batch-' || id || '.csv', 150.0 + id,
       CASE WHEN id = 3 THEN 'DEGRADED' ELSE 'HEALTHY' END
FROM d;
SQL
}

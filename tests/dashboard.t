#!/bin/sh
# dashboard.cgi run as a web server runs it (the CGI environment): status
# and headers, the three views' HTML with their tiles and SVG charts, data
# escaped, JSON parsed (by Node.js and jq, not grepped) and checked against
# the warehouse (sqlite3), numbers as JSON numbers, the whitelist's 404,
# and NO_DATA for an empty warehouse.  The realtime and ingest jobs'
# warehouses are made by tests/dashboard-fixtures.sh; Chromium's view of
# the pages is tests/dashboard-browser.t's.
. "$SLUICE_TOP/tests/lib.sh"
. "$SLUICE_TOP/tests/dashboard-fixtures.sh"
SG=$(prog schema-gen)
CGI=$(prog dashboard.cgi)
WH=$T/wh.db

# cgi QUERY: run it; headers to $T/head, body to $T/body.
cgi() {
    QUERY_STRING=$1 REQUEST_METHOD=GET SLUICE_DB=$WH SLUICE_CURRENCY=INR SLUICE_CACHE=$T/cache \
        $SLUICE_WRAP "$CGI" >"$T/resp" 2>"$T/cgi.err"
    rc=$?
    sed -n '1,/^\r$/p' "$T/resp" | tr -d '\r' >"$T/head"
    sed '1,/^\r$/d' "$T/resp" >"$T/body"
}
# js EXPR: evaluate EXPR over the parsed JSON body (as j).
js() {
    node -e "const j = JSON.parse(require('fs').readFileSync('$T/body', 'utf8')); console.log($1)"
}

# --- An empty warehouse: NO_DATA, not an error -------------------------------
cgi "view=batch"
is "$rc:$(head -n 1 "$T/head")" "0:Status: 200 OK" "no warehouse yet: 200"
like "$(cat "$T/body")" "No data yet" "a friendly page"
like "$(cat "$T/body")" '<b id="tile-status" class="NO_DATA">NO_DATA</b>' "status NO_DATA"
cgi "view=stream&format=json"
is "$(js 'j.status')" NO_DATA "and NO_DATA in JSON"

# --- A warehouse -------------------------------------------------------------
$SLUICE_WRAP "$SG" -q retail --per-day 500 --days 5 >"$T/orders.csv"
printf 'order_id,order_date,store_id,store_city,product,quantity,unit_price,amount\n' >"$T/evil.csv"
printf 'X1,2025-01-19,S,City,<script>alert(1)</script>,1,1.00,999999.00\n' >>"$T/evil.csv"
$SLUICE_WRAP "$(prog batch-agg)" -q --kpis "$T/kpis.csv" "$T/orders.csv" "$T/evil.csv" >"$T/daily.csv"
$SLUICE_WRAP "$(prog sqlite-sink)" -q -D "$WH" -T batch_daily "$T/daily.csv"
$SLUICE_WRAP "$(prog sqlite-sink)" -q -D "$WH" -T batch_kpis "$T/kpis.csv"

cgi "view=batch"
is "$rc" 0 "the batch view"
# What every answer says a browser may do with it.
csp=$(sed -n 's/^Content-Security-Policy: //p' "$T/head")
secure='X-Content-Type-Options: nosniff
X-Frame-Options: DENY
Referrer-Policy: no-referrer'
is "$(cat "$T/head")" "$(printf 'Status: 200 OK\nContent-Type: text/html; charset=utf-8\nContent-Security-Policy: %s\n%s\nCache-Control: no-store\n' "$csp" "$secure")" \
    "CGI headers: status, type, the security headers, no caching"
like "$csp" "^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; script-src 'sha256-[A-Za-z0-9+/]{43}='; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$" \
    "the CSP: nothing but the page's style and script, by their hashes, and fetches of its own; no framing"
# sha256 TAG: the CSP hash of the page's one <TAG>...</TAG>.
sha256() {
    sed -n "s|.*<$1>\(.*\)</$1>.*|\1|p" "$T/body" | tr -d '\n' |
        python3 -c 'import base64, hashlib, sys; print("sha256-" + base64.b64encode(hashlib.sha256(sys.stdin.buffer.read()).digest()).decode())'
}
style_hash=$(sha256 style)
script_hash=$(sha256 script)
# (Compared as text: a hash's + and / are not a pattern's.)
is "$(printf '%s\n' "$csp" | grep -cF "style-src '$style_hash'")" 1 "  the hash is the page's <style>'s ($style_hash)"
is "$(printf '%s\n' "$csp" | grep -cF "script-src '$script_hash'")" 1 "  the hash is the page's <script>'s ($script_hash)"
is "$(grep -o '<style' "$T/body" | wc -l | tr -d ' '):$(grep -c ' style=' "$T/body")" "1:0" \
    "  one <style>, no style attributes"
is "$(grep -o '<script' "$T/body" | wc -l | tr -d ' '):$(grep -Ec ' on[a-z]+=' "$T/body")" "1:0" \
    "  one <script>, no event handler attributes"
like "$(cat "$T/body")" '<noscript><meta http-equiv="refresh" content="5"></noscript>' \
    "without JavaScript the page reloads itself every 5 s"
like "$(cat "$T/body")" '<main data-refresh="5" data-json="\?view=batch&amp;format=json">' \
    "  with it, the script asks the view's JSON every 5 s"
is "$(grep -o '<div class="tile">' "$T/body" | wc -l | tr -d ' ')" 4 "four KPI tiles"
is "$(grep -o '<svg class="chart"' "$T/body" | wc -l | tr -d ' ')" 2 "two charts, inline SVG"
like "$(cat "$T/body")" '<polyline fill="none"' "a line for the trend"
is "$(grep -o '<circle [^>]*><title>[0-9-]*: [0-9,.]*</title></circle>' "$T/body" | wc -l | tr -d ' ')" \
    "$(sqlite3 "$WH" "SELECT count(DISTINCT order_date) FROM batch_daily")" \
    "  each day's point says its value on hover (an SVG <title>)"
day=$(sqlite3 "$WH" "SELECT order_date || ': ' || printf('%.2f', sum(total_amount)) FROM batch_daily GROUP BY order_date ORDER BY order_date LIMIT 1")
like "$(cat "$T/body")" "<title>$(echo "$day" | sed 's/\(: [0-9]*\)\([0-9]\{3\}\.\)/\1,\2/')</title>" "  ($day)"
like "$(cat "$T/body")" '&lt;script&gt;alert\(1\)&lt;/script&gt;' "the product named <script>... shows as text"
revenue=$(sqlite3 "$WH" "SELECT printf('%.2f', sum(total_amount)) FROM batch_daily")
grouped=$(node -e "console.log(Number('$revenue').toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }))")
like "$(cat "$T/body")" "<span>revenue</span><b id=\"tile-revenue\">INR $grouped</b>" \
    "the revenue tile, with its currency and thousands separators ($grouped)"
like "$(cat "$T/body")" '<div class="scroll"><table>' "the rows' table scrolls inside its card"

cgi "view=batch&format=json"
is "$(sed -n 2p "$T/head")" "Content-Type: application/json" "format=json: JSON"
is "$(js 'j.kpis.records')" "$(sed -n 2p "$T/kpis.csv" | cut -d, -f3)" "records from the KPI table"
is "$(js 'j.kpis.revenue.toFixed(2)')" "$revenue" "revenue as the warehouse sums it"
is "$(js 'j.kpis.distinct')" "$(sqlite3 "$WH" "SELECT count(DISTINCT product) FROM batch_daily")" "distinct products"
is "$(js 'j.trend.length')" "$(sqlite3 "$WH" "SELECT count(DISTINCT order_date) FROM batch_daily")" "a trend point a day"
is "$(js 'j.leaderboard[0].name')" "<script>alert(1)</script>" "the leaderboard, raw in JSON (escaping is HTML's)"
is "$(js 'j.leaderboard.length')" 10 "ten leaders"
# jqtypes FILTER: the JSON types of what FILTER picks, one a line.
jqtypes() { jq -r "$1 | type" "$T/body" | sort -u | tr '\n' ' ' | sed 's/ $//'; }
is "$(jqtypes '.kpis.revenue, .kpis.records, .kpis.distinct, .trend[].revenue, .leaderboard[].revenue, .rows[].total_amount, (.rows[].record_count | select(. != null))')" \
    number "JSON: revenue, records, counts and amounts are numbers"
is "$(jqtypes '.tiles[] | select(.key != "status") | .value')" number "  the tiles' values too"
is "$(jq -c '[.tiles[] | .key]' "$T/body")" '["revenue","records","distinct","status"]' "  and the tiles are listed, as shown"

# --- The stream view: a table of windows with a text key ----------------------
printf 'window_start,window_end,product,revenue\n' >"$T/win.csv"
for m in 00 15 30 45; do
    for p in Tea Coffee Juice; do
        echo "2025-01-15T10:$m:00Z,2025-01-15T11:$m:00Z,$p,$(( ${#p} * 10 + ${m#0} )).5" >>"$T/win.csv"
    done
done
$SLUICE_WRAP "$(prog sqlite-sink)" -q -D "$WH" -T stream_windows "$T/win.csv"
cgi "view=stream"
is "$rc" 0 "the stream view"
is "$(grep -o '<svg class="chart"' "$T/body" | wc -l | tr -d ' ')" 2 "two charts"
is "$(grep -o '<polyline' "$T/body" | wc -l | tr -d ' ')" 3 "a line per product"
like "$(cat "$T/body")" '<span>last window</span><b id="tile-window">10:45:00–11:45:00</b>' \
    "no stream_metrics: the last window is the newest"
like "$(cat "$T/body")" '<span>revenue</span><b id="tile-revenue">INR 276.50</b>' "  its revenue (105.5 + 95.5 + 75.5)"
cgi "view=stream&format=json"
is "$(js 'j.windows.length + " " + j.series.length + " " + j.latest.length')" "4 3 3" "JSON: windows, series, latest window"
is "$(js 'j.series[0].name + " " + j.series[0].values.join(",")')" "Coffee 60.5,75.5,90.5,105.5" "a series' values"
is "$(js 'j.latest[0].product + " " + j.latest[0].revenue')" "Coffee 105.5" "the latest window's leader"
is "$(js 'j.table + " " + j.key + " " + j.metric')" "stream_windows product revenue" "  the table and the columns' roles"

# --- The realtime job's warehouse: transactions_summary, stream_metrics --------
RT=$T/realtime.db
realtime_fixture "$RT"
# rt QUERY: the CGI over the realtime warehouse.
rt() { WH=$RT cgi "$@"; }
rt "view=stream"
is "$rc" 0 "the realtime job's windows: the stream view"
# The last window: the newest to have ended by the latest metrics line's
# time (12:11:30): 12:10-12:11.
lw="window_start = '2026-01-10T12:10:00Z'"
q() { sqlite3 "$RT" "$1"; }
tile_of() { sed -n "s|.*<b id=\"tile-$1\"[^>]*>\([^<]*\)</b>.*|\1|p" "$T/body"; }
is "$(tile_of window)" "12:10:00–12:11:00" "last window: the newest ended by the clock of the latest metrics line"
is "$(tile_of events_per_minute)" "$(q "SELECT printf('%d', sum(total_transactions)) FROM transactions_summary WHERE $lw")" \
    "events per minute: its transactions (a 1-minute window)"
is "$(tile_of revenue)" "INR $(q "SELECT printf('%.2f', sum(total_revenue)) FROM transactions_summary WHERE $lw" |
    sed 's/^\([0-9]\)\([0-9]\{3\}\.\)/\1,\2/')" "revenue: its stores' total, to the cent, with the currency"
is "$(tile_of active_customers)" "$(q "SELECT sum(unique_customers) FROM transactions_summary WHERE $lw")" \
    "active customers: its stores' unique customers"
is "$(tile_of average_value)" "INR $(q "SELECT printf('%.2f', sum(total_revenue) / sum(total_transactions)) FROM transactions_summary WHERE $lw")" \
    "average value: revenue / transactions, to the cent"
is "$(tile_of latency_p50):$(tile_of latency_p99)" "120 ms:480 ms" \
    "latency p50/p99: the latest metrics line that has them (the last has none)"
is "$(tile_of quality)" "99.00%" "data quality from the stream's own counts (1000 in, 10 rejected)"
is "$(tile_of last_update)" "2026-01-10T12:11:30.500000Z" "last update: the latest metrics line's time (not a window's end)"
is "$(grep -o '<span>[^<]*</span>' "$T/body" | sed 's/<[^>]*>//g' | tr '\n' '|')" \
    "status|last window|events per minute|revenue|active customers|average value|latency p50|latency p99|data quality|late events|rejected|last update|" \
    "the tiles are labelled in words"
is "$(grep -c 'total_transactions\|unique_customers\|events_per_sec\|latency_ms' "$T/body")" 0 \
    "  no raw column name on the page"
is "$(grep -o '<polyline' "$T/body" | wc -l | tr -d ' ')" 10 "a line per store: solid through closed windows, dashed into the open ones"
is "$(grep -o 'stroke-dasharray' "$T/body" | wc -l | tr -d ' ')" 5 "  five dashed"
is "$(grep -o '<circle [^>]*fill="#fff"' "$T/body" | wc -l | tr -d ' ')" \
    "$(q "SELECT count(*) FROM transactions_summary WHERE window_end > '2026-01-10T12:01:30Z'")" \
    "  open windows' points hollow (one a row in a window past the watermark)"
like "$(cat "$T/body")" '<title>105 · 2026-01-10T12:10:00Z: [0-9,.]+</title>' "  each point's value on hover"
is "$(grep -c '<title>105 · 2026-01-10T12:11:00Z' "$T/body")" 0 \
    "  store 105, with no row yet in the open last window: no point there (not a drop to 0)"
like "$(cat "$T/body")" '<td class="n">[0-9]+\.[0-9]{2}</td>' "averages in the table to the cent"
is "$(grep -Ec '[0-9]\.[0-9]{3,}<' "$T/body")" 0 "  no unrounded number anywhere"
rt "view=stream&format=json"
is "$(jqtypes '.latest[] | .store_id, .total_transactions, .total_revenue, .unique_customers, .avg_transaction_value')" number \
    "JSON: the rows' numbers are numbers"
is "$(jqtypes '.health.latency_p50_ms, .health.latency_p99_ms, .health.quality_pct, .health.events_seen, .last_window.totals.count')" number \
    "  and health's (a latency stored as TEXT too)"
is "$(jq -r '[.windows[] | select(.open)] | length' "$T/body")" \
    "$(q "SELECT count(DISTINCT window_start) FROM transactions_summary WHERE window_end > '2026-01-10T12:01:30Z'")" \
    "  the windows past the watermark are open"
is "$(jq -r '.series[] | select(.name == "105") | .values[-1]' "$T/body")" null "  store 105's open last window: null, not 0"
is "$(jq -r '.table + " " + .key + " " + .count + " " + .revenue + " " + .distinct' "$T/body")" \
    "transactions_summary store_id total_transactions total_revenue unique_customers" "  the columns' roles"
# The stream's quality under 95%: DEGRADED.
sqlite3 "$RT" "INSERT INTO stream_metrics (time, program, events_in, aggregated, late_events, rejected, filtered)
    VALUES ('2026-01-10T12:12:00Z', 'stream-window', 1100, 1000, 6, 94, 0)"
rt "view=stream"
is "$(tile_of status):$(tile_of quality)" "DEGRADED:91.45%" "quality under 95%: DEGRADED"
# A pipeline's chain row once it stopped: dead letters set aside before Kafka count.
sqlite3 "$RT" "ALTER TABLE stream_metrics ADD COLUMN dead_letters INTEGER;
    INSERT INTO stream_metrics (time, program, events_in, aggregated, late_events, rejected, filtered, dead_letters)
    VALUES ('2026-01-10T12:12:30Z', 'realtime-pipeline', 1100, 1000, 6, 94, 0, 100)"
rt "view=stream"
is "$(tile_of quality):$(tile_of rejected)" "83.83%:194" "stopped: the chain's counts (1200 seen, 100 dead letters + 94 rejected)"
like "$(cat "$T/body")" "The last run&#39;s counts" "  and its table"
# Two streams' health in one stream_metrics (the stream and realtime
# jobs in one warehouse): each table's view reads the lines named for it
# (stream-window --name), the newer lines of the other stream left alone.
NM=$T/named.db
cp "$RT" "$NM"
sqlite3 "$NM" "ALTER TABLE stream_metrics ADD COLUMN name TEXT;
    UPDATE stream_metrics SET name = 'transactions_summary';
    CREATE TABLE stream_windows (window_start TEXT, window_end TEXT, category TEXT, record_count INTEGER, revenue REAL);
    INSERT INTO stream_windows VALUES ('2026-01-10T12:00:00Z', '2026-01-10T13:00:00Z', 'books', 7, 70.5);
    INSERT INTO stream_metrics (time, program, name, events_in, aggregated, late_events, rejected, filtered, watermark, latency_p50_ms, latency_p99_ms)
    VALUES ('2026-01-10T12:13:00Z', 'stream-window', 'stream_windows', 50, 50, 0, 0, 0, '2026-01-10T12:12:00Z', 7, 9)"
WH=$NM cgi "view=stream&table=transactions_summary"
is "$(tile_of latency_p50):$(tile_of latency_p99):$(tile_of last_update)" "120 ms:480 ms:2026-01-10T12:12:30Z" \
    "two streams in one stream_metrics: transactions_summary's view reads its own lines (stream-window --name)"
WH=$NM cgi "view=stream&table=stream_windows"
is "$(tile_of latency_p50):$(tile_of latency_p99):$(tile_of last_update)" "7 ms:9 ms:2026-01-10T12:13:00Z" \
    "  and stream_windows' its own"
# Each view's dataset from its own data: the stream view from its
# table's health lines (stream-window --schema), the batch view from the
# batch job's quality row, the quality view from the latest row.
sqlite3 "$NM" "ALTER TABLE stream_metrics ADD COLUMN schema TEXT;
    UPDATE stream_metrics SET schema = CASE name WHEN 'stream_windows' THEN 'ecommerce' ELSE 'retail_transactions' END;
    CREATE TABLE data_quality_metrics (time TEXT, schema TEXT, \"in\" INTEGER, out INTEGER, rejected INTEGER, duplicates INTEGER, status TEXT, batch_id INTEGER);
    INSERT INTO data_quality_metrics VALUES ('2026-01-10T11:00:00Z', 'retail', 10, 10, 0, 0, 'HEALTHY', NULL),
        ('2026-01-10T12:00:00Z', 'ecommerce', 10, 9, 1, 0, 'HEALTHY', 1);
    CREATE TABLE batch_daily (order_date TEXT, product TEXT, total_amount REAL);
    INSERT INTO batch_daily VALUES ('2026-01-10', 'Masala Chai', 12.5)"
title_of() { sed -n 's|.*<title>\([^<]*\)</title>.*|\1|p' "$T/body" | head -n 1; }
for v in "stream&table=transactions_summary:Retail transactions" "stream&table=stream_windows:E-commerce events" \
    "batch:Retail orders" "quality:E-commerce events"; do
    WH=$NM cgi "view=${v%%:*}"
    is "$(title_of)" "${v#*:}" "view=${v%%:*} in one warehouse of several jobs: the title its own dataset's"
done
WH=$NM cgi "view=batch"
like "$(tile_of revenue)" '^INR ' "  the batch view's money in the retail orders' currency"

# --- No view asked: the one the warehouse has data for ------------------------------
for w in "realtime.db stream" "ingest-only.db quality" "wh.db batch"; do
    [ "${w%% *}" = ingest-only.db ] && ingest_fixture "$T/ingest-only.db"
    WH=$T/${w%% *} cgi "format=json"
    is "$(jq -r .view "$T/body")" "${w#* }" "no view= over ${w%% *}: the ${w#* } view"
done

# --- Any table of windows ----------------------------------------------------------
GW=$T/generic.db
sqlite3 "$GW" "CREATE TABLE sensor_windows (window_start TEXT, window_end TEXT, sensor TEXT, readings INTEGER, sum_temp REAL, avg_temp REAL);
    INSERT INTO sensor_windows VALUES ('2026-01-01T00:00:00Z', '2026-01-01T00:05:00Z', 'a', 10, 215.5, 21.55),
        ('2026-01-01T00:00:00Z', '2026-01-01T00:05:00Z', 'b', 4, 80.25, 20.0625),
        ('2026-01-01T00:05:00Z', '2026-01-01T00:10:00Z', 'a', 12, 260.0, 21.6666666666667)"
WH=$GW cgi "view=stream&format=json"
is "$(jq -r '.table + " " + .key + " " + .metric' "$T/body")" "sensor_windows sensor sum_temp" \
    "a window table of any name: its key and a numeric column"
WH=$GW cgi "view=stream"
like "$(cat "$T/body")" '<h3>Last window \(2026-01-01T00:05:00Z\), by sensor</h3>' "  shown"
like "$(cat "$T/body")" '<th class="n">average temp</th>' "  columns in words"
like "$(cat "$T/body")" '<td class="n">21.67</td>' "  averages rounded"
# The realtime job's customer_activity: no key, all customers a window.
sqlite3 "$GW" "CREATE TABLE customer_activity (id INTEGER PRIMARY KEY, window_start TEXT NOT NULL, window_end TEXT NOT NULL,
        events INTEGER, active_customers INTEGER, created_at TEXT, UNIQUE (window_start));
    INSERT INTO customer_activity (window_start, window_end, events, active_customers)
        VALUES ('2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 378, 345)"
WH=$GW cgi "view=stream&table=customer_activity"
is "$(tile_of events_per_minute):$(tile_of active_customers)" "378:345" \
    "a table of windows with no key: its events per minute and active customers"
sqlite3 "$RT" ".backup '$T/both.db'"
sqlite3 "$T/both.db" ".read /dev/stdin" <<'SQL'
CREATE TABLE stream_windows (window_start TEXT, window_end TEXT, category TEXT, record_count INTEGER, revenue REAL);
INSERT INTO stream_windows VALUES ('2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z', 'books', 3, 42.5);
SQL
WH=$T/both.db cgi "view=stream&format=json"
is "$(jq -r .table "$T/body")" transactions_summary "two window tables: the realtime job's first"
WH=$T/both.db cgi "view=stream&table=stream_windows&format=json"
is "$(jq -r '.table + " " + (.latest[0].revenue | tostring)' "$T/body")" "stream_windows 42.5" "  ?table= picks the other"
WH=$T/both.db cgi "view=stream&table=nope&format=json"
is "$(jq -r .status "$T/body")" NO_DATA "  a table that is not there: no data"
WH=$T/both.db cgi "view=stream"
like "$(cat "$T/body")" '<nav class="tables">Window tables: <a href="\?view=stream&amp;table=transactions_summary">' "  the page links both"

# --- The quality view: the ingest job's warehouse ----------------------------------
IN=$T/ingest.db
ingest_fixture "$IN"
iq() { sqlite3 "$IN" "$1"; }
WH=$IN cgi "view=quality"
is "$rc:$(head -n 1 "$T/head")" "0:Status: 200 OK" "?view=quality: a page (it was a 404)"
is "$(tile_of status)" HEALTHY "status: the latest batch's health"
is "$(tile_of batches)" "$(iq "SELECT count(*) FROM data_quality_metrics")" "batches: a row each"
is "$(tile_of dead_letters)" "$(iq "SELECT sum(rejected) FROM data_quality_metrics")" "dead letters: every batch's"
is "$(tile_of duplicates)" "$(iq "SELECT sum(duplicates) FROM data_quality_metrics")" "duplicates dropped"
is "$(tile_of migrated)" "$(iq "SELECT sum(json_extract(versions, '\$.1') + json_extract(versions, '\$.2')) FROM data_quality_metrics")" \
    "migrated: the records that came as versions 1 and 2"
is "$(tile_of validity)" "$(iq "SELECT printf('%.2f%%', validity_pct) FROM data_quality_metrics ORDER BY rowid DESC LIMIT 1")" "validity of the last batch"
is "$(tile_of validity_all)" "$(iq "SELECT printf('%.2f%%', 100.0 * (sum(\"in\") - sum(rejected)) / sum(\"in\")) FROM data_quality_metrics")" \
    "  and of all, as cleanse reckons it ((in - rejected) / in)"
is "$(tile_of top_rule)" "$(iq "SELECT key FROM data_quality_metrics, json_each(rules) GROUP BY key ORDER BY sum(value) DESC, key LIMIT 1")" \
    "the top cause over every batch"
is "$(grep -o '<circle [^>]*fill="#2f6fde"[^>]*><title>validity · [^<]*</title>' "$T/body" | wc -l | tr -d ' ')" 5 \
    "validity over time: a point a batch"
like "$(cat "$T/body")" "<title>validity · $(iq "SELECT time FROM data_quality_metrics WHERE batch_id = 3"): 93.00</title>" "  each with its value"
byrule=$(iq "SELECT key || ' ' || n FROM (SELECT key, sum(value) AS n FROM data_quality_metrics, json_each(rules) GROUP BY key) ORDER BY n DESC, key" | tr '\n' '|')
shown=$(sed -n 's|.*<div class="card" data-live id="rules">\(.*\)|\1|p' "$T/body" | sed 's|</table>.*||' |
    grep -o '<tr><td>[^<]*</td><td class="n">[0-9,]*</td>' | sed 's/<[^>]*>/ /g; s/  */ /g; s/^ //; s/ $//' | tr '\n' '|')
is "$shown" "$byrule" "dead letters by rule, every batch's counts"
byfield=$(iq "SELECT f || ' ' || n FROM (SELECT coalesce(json_extract(e.value, '\$.field'), '(the record)') AS f, count(*) AS n
    FROM dead_letter_events d, json_each(d.errors) e GROUP BY f) ORDER BY n DESC, f" | tr '\n' '|')
shown=$(sed -n 's|.*<div class="card" data-live id="fields">\(.*\)|\1|p' "$T/body" | sed 's|</table>.*||' |
    grep -o '<tr><td>[^<]*</td><td class="n">[0-9,]*</td>' | sed 's/<[^>]*>/ /g; s/  */ /g; s/^ //; s/ $//' | tr '\n' '|')
is "$shown" "$byfield" "dead letters by field (a fault that is the record's own: the record)"
like "$(cat "$T/body")" 'category &quot;&lt;b&gt;x&lt;/b&gt;&quot; is not one of the allowed values' "  with examples, escaped"
like "$(cat "$T/body")" '<td>validity 93.00% is under 95%</td>' "the latest alerts"
WH=$IN cgi "view=quality&format=json"
is "$(jqtypes '.totals[], .batches[].validity_pct, .rules[].records, .fields[].faults, .versions[].records, .latest[0].latency_ms')" number \
    "JSON: the counts are numbers"
is "$(jq -r '[.rules[] | select(.example == null)] | length' "$T/body")" 0 "  every rule has an example"
sqlite3 "$IN" "UPDATE data_quality_metrics SET health = 'ERROR' WHERE batch_id = 5"
WH=$IN cgi "view=quality"
is "$(tile_of status)" ERROR "the latest batch ERROR: ERROR"
ingest_fixture "$T/old.db" 600
WH=$T/old.db cgi "view=quality"
is "$(tile_of status)" NO_DATA "no batch in the last 300 s: NO_DATA"
WH=$T/old.db SLUICE_NO_DATA_AFTER=3600 cgi "view=quality"
is "$(tile_of status)" HEALTHY "  SLUICE_NO_DATA_AFTER=3600: the batch 10 minutes ago is recent"
WH=$T/old.db cgi "view=quality&format=json"
is "$(jq -r '.status + " " + (.tiles[0].value)' "$T/body")" "NO_DATA NO_DATA" "  NO_DATA in JSON too"
# The batch pipeline's own table of dead letters.
sqlite3 "$IN" "ALTER TABLE dead_letter_events RENAME TO dead_letter"
WH=$IN cgi "view=quality&format=json"
is "$(jq -r '.dead_letter_table + " " + (.fields | length | tostring)' "$T/body")" "dead_letter 4" \
    "the batch pipeline's dead_letter table when there is no dead_letter_events"

# --- The page cache: the same request of an unchanged warehouse ------------------------------
rm -rf "$T/cache"	# this request's page alone there
cgi "view=batch&format=json"
cp "$T/resp" "$T/first"
page=$(grep -l '"view":"batch"' "$T/cache"/*.page | head -n 1)
ok "$([ -n "$page" ]; echo $?)" "the page is kept in the cache"
cgi "view=batch&format=json"
is_file "$T/resp" "$T/first" "the same request again: the same answer"
sed -i 's/"view":"batch"/"view":"cached"/' "$page"
cgi "view=batch&format=json"
is "$(js 'j.view')" cached "served from the cache, no query (a marked copy shows)"
printf 'order_id,order_date,store_id,store_city,product,quantity,unit_price,amount\nY1,2025-01-19,S,C,Zzz,1,1.00,1.00\n' >"$T/more.csv"
$SLUICE_WRAP "$(prog batch-agg)" -q "$T/more.csv" >"$T/more-daily.csv"
$SLUICE_WRAP "$(prog sqlite-sink)" -q -D "$WH" -T batch_daily "$T/more-daily.csv"
cgi "view=batch&format=json"
is "$(js 'j.kpis.distinct')" "$(sqlite3 "$WH" "SELECT count(DISTINCT product) FROM batch_daily")" \
    "after a write to the warehouse, a fresh page (the new product counted)"

# --- Methods and headers on every answer -------------------------------------------
# method METHOD QUERY: like cgi, with that REQUEST_METHOD.
method() {
    QUERY_STRING=$2 REQUEST_METHOD=$1 SLUICE_DB=$WH SLUICE_CACHE=$T/cache \
        $SLUICE_WRAP "$CGI" >"$T/resp" 2>"$T/cgi.err"
    rc=$?
    sed -n '1,/^\r$/p' "$T/resp" | tr -d '\r' >"$T/head"
    sed '1,/^\r$/d' "$T/resp" >"$T/body"
}
for m in PUT DELETE PATCH OPTIONS TRACE POST; do
    method $m "view=batch"
    is "$rc:$(head -n 1 "$T/head"):$(grep '^Allow:' "$T/head")" "0:Status: 405 Method Not Allowed:Allow: GET, HEAD" \
        "$m: 405, Allow: GET, HEAD (it was 200 and the page)"
    ok "$(grep -q '<div class="tile">' "$T/body"; echo $(( ! $? )))" "  not the dashboard"
done
like "$(cat "$T/body")" "POST is not answered here" "  the page says why"
for q in "view=batch" "view=batch&format=json" "view=stream&format=json" "view=quality" "view=nope"; do
    method GET "$q"
    is "$(grep -c "^Content-Security-Policy: $csp\$" "$T/head"):$(grep -cxF "$secure" "$T/head")" "1:3" \
        "GET $q: the CSP, nosniff, DENY, no-referrer"
done
method DELETE "view=nope"
is "$(grep -c "^Content-Security-Policy: $csp\$" "$T/head"):$(grep -cxF "$secure" "$T/head")" "1:3" \
    "a 405: the same headers"
QUERY_STRING=view=batch REQUEST_METHOD=GET SLUICE_DB=$T/none.db SLUICE_CACHE= $SLUICE_WRAP "$CGI" |
    tr -d '\r' | sed -n '1,/^$/p' >"$T/head"
is "$(grep -c "^Content-Security-Policy: $csp\$" "$T/head"):$(grep -cxF "$secure" "$T/head")" "1:3" \
    "no warehouse: the same headers"
method GET "view=batch"
cp "$T/head" "$T/get-head"
method HEAD "view=batch"
is "$rc:$(wc -c <"$T/body" | tr -d ' ')" "0:0" "HEAD: no body"
is_file "$T/head" "$T/get-head" "  and GET's headers"
method HEAD "view=nope"
is "$(head -n 1 "$T/head"):$(wc -c <"$T/body" | tr -d ' ')" "Status: 404 Not Found:0" "HEAD of a 404: its header only"
QUERY_STRING=view=batch SLUICE_DB=$WH SLUICE_CACHE= $SLUICE_WRAP "$CGI" | tr -d '\r' | head -n 1 >"$T/head"
is "$(cat "$T/head")" "Status: 200 OK" "no REQUEST_METHOD (run by hand): a GET"

# --- Edge cases a review found ----------------------------------------------------
QUERY_STRING=format=json SLUICE_DB=$WH SLUICE_CACHE= SLUICE_CURRENCY=$(printf '\377') \
    $SLUICE_WRAP "$CGI" >"$T/resp" 2>/dev/null
rc=$?
is "$rc:$(head -n 1 "$T/resp" | tr -d '\r')" "0:Status: 500 Internal Server Error" \
    "text that is not UTF-8 (here the currency): a 500 answer, not a crash"
sqlite3 "$T/huge.db" "CREATE TABLE batch_daily (order_date TEXT, product TEXT, total_amount REAL);
    INSERT INTO batch_daily VALUES ('2025-01-01', 'x', 1e53)"
QUERY_STRING=view=batch SLUICE_DB=$T/huge.db SLUICE_CACHE= $SLUICE_WRAP "$CGI" >"$T/resp" 2>/dev/null
is "$?" 0 "a revenue of 1e53 renders (its digits cut to the tile, no overflow)"
sqlite3 "$T/rates.db" "CREATE TABLE batch_daily (event_time_date TEXT, city TEXT, record_count INTEGER, sum_amount REAL,
        avg_amount REAL, rate_is_international REAL, fraud_pct REAL);
    INSERT INTO batch_daily VALUES ('2025-01-18', 'Pune', 55, 96750.0, 1759.0909090909, 0.10909090909090909, 3.6363636)"
QUERY_STRING=view=batch SLUICE_DB=$T/rates.db SLUICE_CACHE= $SLUICE_WRAP "$CGI" >"$T/body" 2>/dev/null
is "$(grep -o '<td class="n">[^<]*</td>' "$T/body" | sed 's/<[^>]*>//g' | tr '\n' ' ')" "55 96,750.00 1,759.09 10.91% 3.64% " \
    "rows: counts grouped, money and averages to the cent, a rate and a percentage as percentages (no 96750.0)"
is "$(grep -o '<th[^>]*>[^<]*</th>' "$T/body" | sed 's/<[^>]*>//g' | tr '\n' '|')" \
    "event time date|city|records|total amount|average amount|rate is international|fraud|" "  columns named in words"

# --- The summaries, the warehouse's own: the same page, from what its triggers keep ---
RB=$T/roll.db
# batch_json DB: the batch view's JSON body.
batch_json() {
    QUERY_STRING='view=batch&format=json' SLUICE_DB=$1 SLUICE_CACHE= $SLUICE_WRAP "$CGI" |
        sed '1,/^\r$/d'
}
# summed_json DB: the same from a copy without the summaries' triggers
# (so the view sums the table).
summed_json() {
    rm -f "$T/summed.db"
    sqlite3 "$1" ".backup '$T/summed.db'"
    sqlite3 "$T/summed.db" "DROP TRIGGER batch_daily_rollup_insert"
    batch_json "$T/summed.db"
}
rollups_used() {
    [ "$(sqlite3 "$RB" "SELECT group_concat(type || ' ' || name, ', ') FROM (SELECT * FROM sqlite_master
        WHERE name LIKE 'batch_daily_rollup%' ORDER BY name)")" = "table batch_daily_rollup, trigger batch_daily_rollup_delete, trigger batch_daily_rollup_insert, view batch_daily_rollup_sql, trigger batch_daily_rollup_update" ]
}
# summaries DB: the warehouse DDL's script for them, run as the batch job
# runs it (scripts/warehouse.sh, wh_summaries).
summaries() { sqlite3 "$1" "SELECT sql FROM batch_daily_rollup_sql" | sqlite3 -bail "$1"; }
$SLUICE_WRAP "$(prog sqlite-sink)" -q -D "$RB" -T batch_daily "$T/daily.csv"
batch_json "$RB" >"$T/before.json"
sqlite3 "$RB" <"$SLUICE_TOP/sink/warehouse.sql" >/dev/null
is "$(sqlite3 "$RB" "SELECT count(*) FROM batch_daily_by_date") $(batch_json "$RB" | cmp - "$T/before.json" && echo same)" \
    "0 same" "the warehouse DDL makes the summaries' tables, empty: the page sums the table, as before"
summaries "$RB"
is "$?" 0 "the DDL's script makes the summaries for batch_daily's columns"
ok "$(rollups_used; echo $?)" "  their table, script and three triggers are there"
batch_json "$RB" >"$T/after.json"
is_file "$T/after.json" "$T/before.json" "the page from the summaries is the page from the table"
# That page came from the summaries: change them alone (in a copy) and
# it shows.
rm -f "$T/tamper.db"
sqlite3 "$RB" ".backup '$T/tamper.db'"
sqlite3 "$T/tamper.db" "UPDATE batch_daily_by_date SET revenue = revenue + 1000000"
is "$(batch_json "$T/tamper.db" | node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
    const a = JSON.parse(s), b = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log((a.kpis.revenue - b.kpis.revenue).toFixed(0)) })' "$T/before.json")" \
    "$(( 1000000 * $(sqlite3 "$RB" "SELECT count(*) FROM batch_daily_by_date") ))" \
    "  read from the summaries, not the table (a change to them alone shows in the revenue)"
# Writes after: an append, an upsert that changes amounts, deletes.
printf 'order_id,order_date,store_id,store_city,product,quantity,unit_price,amount
N1,2025-02-01,S,C,Newcomer,2,10.00,20.00
' >"$T/new.csv"
$SLUICE_WRAP "$(prog batch-agg)" -q "$T/new.csv" "$T/orders.csv" >"$T/new-daily.csv"
$SLUICE_WRAP "$(prog sqlite-sink)" -q -D "$RB" -T batch_daily --mode upsert --key order_date,product "$T/new-daily.csv"
sqlite3 "$RB" "UPDATE batch_daily SET total_amount = total_amount * 3 WHERE product = 'Newcomer';
    DELETE FROM batch_daily WHERE rowid IN (SELECT rowid FROM batch_daily ORDER BY rowid LIMIT 7);
    INSERT INTO batch_daily (order_date, product, total_amount) VALUES (NULL, NULL, 5.5), ('2025-02-02', NULL, NULL)"
batch_json "$RB" >"$T/after.json"
summed_json "$RB" >"$T/summed.json"
is_file "$T/after.json" "$T/summed.json" "after an upsert, updates, deletes and nulls: the summaries agree with the table"
is "$(node -e "const j = JSON.parse(require('fs').readFileSync('$T/after.json', 'utf8')); console.log(j.trend.some(t => t.date === '2025-02-01'), j.kpis.revenue > 0)")" \
    "true true" "  (and the new day is in the trend)"
# A column the summaries were not made for: the view sums the table again.
sqlite3 "$RB" "ALTER TABLE batch_daily ADD COLUMN store_city TEXT; UPDATE batch_daily SET store_city = 'Pune' WHERE rowid % 2 = 0"
batch_json "$RB" >"$T/after.json"
is "$(node -e "console.log(JSON.parse(require('fs').readFileSync('$T/after.json', 'utf8')).leaderboard_of)")" \
    "product · store_city" "a new dimension column: the leaderboard is of segments"
summed_json "$RB" >"$T/summed.json"
is_file "$T/after.json" "$T/summed.json" "  made from the table, not from summaries for other columns"
summaries "$RB"
batch_json "$RB" >"$T/after.json"
is_file "$T/after.json" "$T/summed.json" "  the script again: the summaries for the new columns, the same page"
is "$(sqlite3 "$RB" "SELECT * FROM batch_daily_rollup")" "order_date|total_amount||product|store_city" \
    "  made for them"
# batch-agg's output with a schema: its group columns are the
# dimensions, a number among them (retail_transactions' store_id), and
# the page of the schema its quality row names is read from them.
RT=$T/rt.db
$SLUICE_WRAP "$SG" -q retail_transactions -n 3000 >"$T/rt.csv"
$SLUICE_WRAP "$(prog cleanse)" -q --schema retail_transactions "$T/rt.csv" |
    $SLUICE_WRAP "$(prog batch-agg)" -q --schema retail_transactions >"$T/rt-daily.csv"
sqlite3 "$RT" <"$SLUICE_TOP/sink/warehouse.sql" >/dev/null
$SLUICE_WRAP "$(prog sqlite-sink)" -q -D "$RT" -T batch_daily "$T/rt-daily.csv"
sqlite3 "$RT" "INSERT INTO data_quality_metrics (program, schema) VALUES ('cleanse', 'retail_transactions')"
batch_json "$RT" >"$T/rt-before.json"
summaries "$RT"
is "$(sqlite3 "$RT" "SELECT dim0 || ' ' || dim1 || ' ' || typeof(store_id) FROM batch_daily_rollup, batch_daily LIMIT 1")" \
    "store_id payment_method integer" "batch-agg's group columns are the summaries' dimensions, a number among them"
batch_json "$RT" >"$T/rt-after.json"
is_file "$T/rt-after.json" "$T/rt-before.json" "  the page of the schema the quality row names, the same from them"
sqlite3 "$RT" "UPDATE batch_daily_by_date SET revenue = revenue + 1000000"
batch_json "$RT" | cmp -s - "$T/rt-before.json"
is "$?" 1 "  and read from them (a change to them alone shows)"
# --prepare, until the next release: said to be no longer needed, and
# runs the same script.
$SLUICE_WRAP "$CGI" --prepare "$T/nowhere.db" 2>"$T/prep.err"
is "$?:$(cat "$T/prep.err")" "1:dashboard.cgi: --prepare is no longer needed: the warehouse keeps the batch view's summaries (its DDL makes them, and the batch job after each load); it goes in the next release
dashboard.cgi: $T/nowhere.db: unable to open database file" \
    "--prepare: a warning; of no database: exit 1, said (and none made)"
sqlite3 "$T/bare.db" "CREATE TABLE other (x)"
$SLUICE_WRAP "$CGI" --prepare "$T/bare.db" 2>"$T/prep.err"
is "$?:$(tail -n 1 "$T/prep.err")" "1:dashboard.cgi: $T/bare.db: no table batch_daily to summarise (load the batch results first)" \
    "  with no batch_daily: exit 1, said"
$SLUICE_WRAP "$(prog sqlite-sink)" -q -D "$T/bare.db" -T batch_daily "$T/daily.csv"
$SLUICE_WRAP "$CGI" --prepare "$T/bare.db" 2>"$T/prep.err"
is "$?:$(tail -n 1 "$T/prep.err")" "1:dashboard.cgi: $T/bare.db: no batch_daily_rollup_sql, the summaries' script: apply the warehouse's DDL (sink/warehouse.sql, or warehouse-pg.sql) first" \
    "  a warehouse without the DDL: exit 1, told to apply it"
sqlite3 "$T/bare.db" <"$SLUICE_TOP/sink/warehouse.sql" >/dev/null
batch_json "$T/bare.db" >"$T/bare-before.json"
$SLUICE_WRAP "$CGI" --prepare "$T/bare.db" 2>"$T/prep.err"
is "$?:$(wc -l <"$T/prep.err")" "0:1" "  with it: exit 0, the warning alone"
RB=$T/bare.db
ok "$(rollups_used; echo $?)" "  the summaries made, as by the script"
batch_json "$T/bare.db" >"$T/bare-after.json"
is_file "$T/bare-after.json" "$T/bare-before.json" "  the same page"
QUERY_STRING= GATEWAY_INTERFACE=CGI/1.1 SLUICE_DB=$T/none.db SLUICE_CACHE= $SLUICE_WRAP "$CGI" --prepare "$T/x.db" >"$T/resp" 2>&1
is "$(head -n 1 "$T/resp" | tr -d '\r'):$([ -e "$T/x.db" ] && echo made)" "Status: 200 OK:" \
    "run by a web server, --prepare is not an option (no database made)"

# --- The command line: the other programs' shape -----------------------------------------
run dashboard.cgi --help
is "$rc:$(head -n 2 "$T/out")" "0:usage: dashboard.cgi (run by a web server, CGI)
       dashboard.cgi --prepare [DB|CONNINFO]" "--help: the usage lines, exit 0"
like "$(cat "$T/out")" "^      --prepare  " "  and --prepare among the options"
run dashboard.cgi --version
like "$rc:$(head -n 1 "$T/out")" "^0:dashboard.cgi \(sluice\) [0-9]" "--version: exit 0"
run dashboard.cgi --no-such
is "$rc:$(tail -n 1 "$T/err")" "2:Try 'dashboard.cgi --help' for more information." \
    "an unknown option: a usage error, exit 2"
run dashboard.cgi "$T/x.db"
is "$rc:$(head -n 1 "$T/err")" "2:dashboard.cgi: \"$T/x.db\": a page takes no arguments (its request is QUERY_STRING)" \
    "an argument without --prepare: a usage error, exit 2"
run dashboard.cgi --prepare "$RB" "$T/x.db"
is "$rc:$(head -n 1 "$T/err")" "2:dashboard.cgi: --prepare: one warehouse, DB or CONNINFO, not 2" \
    "--prepare with two warehouses: a usage error, exit 2"
SLUICE_DB=$RB $SLUICE_WRAP "$CGI" --prepare 2>"$T/prep.err"
is "$?:$(wc -l <"$T/prep.err")" "0:1" "--prepare with no DB: SLUICE_DB's, exit 0 (its warning alone)"
QUERY_STRING= GATEWAY_INTERFACE=CGI/1.1 SLUICE_DB=$T/none.db SLUICE_CACHE= $SLUICE_WRAP "$CGI" --help nonsense >"$T/resp" 2>&1
is "$?:$(head -n 1 "$T/resp" | tr -d '\r')" "0:Status: 200 OK" \
    "run by a web server, arguments are a query's words: a page, not --help nor a usage error"

# --- The whitelist ----------------------------------------------------------------------
for q in "view=admin" "view=batch&x=1" "format=xml" "refresh=abc" "view=batch%27%3B--" \
    "table=a%27b" "table=a.b" "table=$(printf '%065d' 0)"; do
    cgi "$q"
    is "$rc:$(head -n 1 "$T/head")" "0:Status: 404 Not Found" "?$q: 404"
    [ "$rc:$(head -n 1 "$T/head")" = "0:Status: 404 Not Found" ] ||
        { head -c 600 "$T/resp"; cat "$T/cgi.err"; } | sed 's/^/#   /' >&2
done
cgi "view=batch&refresh=0"
is "$(grep -c 'http-equiv="refresh"' "$T/body"):$(grep -c '<main data-refresh' "$T/body")" 0:0 "refresh=0: no refresh, no updates"
cgi "view=batch&refresh=30"
like "$(cat "$T/body")" '<noscript><meta http-equiv="refresh" content="30"></noscript>' "refresh=30: every 30 s"
like "$(cat "$T/body")" 'data-refresh="30"' "  for the script too"

done_testing

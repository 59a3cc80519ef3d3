#!/bin/sh
# The dashboard in a browser: every view loaded by headless Chromium
# (--dump-dom, the DOM after its scripts ran) from warehouses made by the
# pipelines (scripts/batch-pipeline, scripts/stream-pipeline,
# scripts/realtime-pipeline, scripts/ingest-pipeline) and by the realtime
# and ingest jobs' fixtures (tests/dashboard-fixtures.sh: fixed times), the
# numbers shown checked against the warehouse (sqlite3), no CSP
# violation; and the update in place: a page whose JSON has changed since
# it loaded shows the new value in its tile, without a reload (the
# page's header, made once per load, is the first load's), and with
# JavaScript off shows the page as it loaded.
. "$SLUICE_TOP/tests/lib.sh"
. "$SLUICE_TOP/tests/dashboard-fixtures.sh"
CGI=$(prog dashboard.cgi)
if [ -n "$SLUICE_WRAP" ]; then
    # Chromium runs the CGI through busybox httpd: no wrapper reaches it.
    echo "1..0 # SKIP under valgrind: the CGI runs under busybox httpd, not the wrapper"
    exit 0
fi
command -v chromium >/dev/null 2>&1 || { echo "not ok 1 - chromium is missing: run scripts/deps"; exit 1; }

# --- The warehouses ------------------------------------------------------------------
BW=$T/batch
"$SLUICE_BIN/schema-gen" -q retail --per-day 400 --days 4 -d "$BW/input"
DATA=$BW WAIT_SECONDS=1 SLUICE_BIN=$SLUICE_BIN "$SLUICE_TOP/scripts/batch-pipeline" 2>"$T/batch.err"
is "$?" 0 "the batch pipeline's warehouse"
SW=$T/stream
DATA=$SW RUN_SECONDS=4 RATE=300 SLUICE_BIN=$SLUICE_BIN "$SLUICE_TOP/scripts/stream-pipeline" 2>"$T/stream.err"
is "$?" 0 "the stream pipeline's warehouse (4 s)"
realtime_fixture "$T/realtime.db"
ingest_fixture "$T/ingest.db"

# --- Serving ----------------------------------------------------------------------------
# Ports below the kernel's ephemeral range (32768 up), which the Kafka
# tests' connections running alongside draw from.
port=$(( 12000 + $$ % 20000 ))
spid=""
# serve DB [ENV...]: scripts/serve on $port over DB, until the next.
serve() {
    [ -n "$spid" ] && { kill "$spid"; wait "$spid" 2>/dev/null; }
    db=$1
    shift
    env SLUICE_CACHE= "$@" PORT=$port "$SLUICE_TOP/scripts/serve" "$db" >"$T/serve.out" 2>&1 &
    spid=$!
    for _ in $(seq 50); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/cgi-bin/dashboard.cgi?view=batch&format=json" && break
        sleep 0.1
    done
}
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$T"' EXIT
# dom VIEW [FLAGS...]: the view as Chromium leaves it, into $T/dom; its
# console into $T/console.
dom() {
    view=$1
    shift
    chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/profile" \
        --enable-logging=stderr --v=0 "$@" --dump-dom \
        "http://127.0.0.1:$port/cgi-bin/dashboard.cgi?view=$view" >"$T/dom" 2>"$T/console"
}
tile_of() { sed -n "s|.*<b id=\"tile-$1\"[^>]*>\([^<]*\)</b>.*|\1|p" "$T/dom"; }
# grouped N: 1234567.5 -> 1,234,567.50, as the page writes money.
grouped() { node -e "console.log(Number('$1').toLocaleString('en-US', { minimumFractionDigits: $2, maximumFractionDigits: $2 }))"; }
no_csp_errors() { is "$(grep -c 'Content Security Policy' "$T/console")" 0 "  no CSP violation in the console"; }

# --- The batch view, from the batch pipeline ---------------------------------------------
B=$BW/warehouse.db
serve "$B" SLUICE_CURRENCY=INR
like "$(cat "$T/serve.out")" "^dashboard: http://127.0.0.1:$port/cgi-bin/dashboard.cgi" "scripts/serve prints its URL"
dom batch
is "$(grep -o '<svg class="chart"' "$T/dom" | wc -l | tr -d ' ')" 2 "batch: Chromium renders its two charts"
no_csp_errors
is "$(tile_of revenue)" "INR $(grouped "$(sqlite3 "$B" "SELECT round(sum(total_amount), 2) FROM batch_daily")" 2)" \
    "  revenue as the warehouse sums it"
is "$(tile_of records)" "$(grouped "$(sqlite3 "$B" "SELECT records FROM batch_kpis")" 0)" "  records from batch_kpis"
is "$(tile_of distinct)" "$(sqlite3 "$B" "SELECT count(DISTINCT product) FROM batch_daily")" "  distinct products"
is "$(grep -o '<circle [^>]*><title>' "$T/dom" | wc -l | tr -d ' ')" \
    "$(sqlite3 "$B" "SELECT count(DISTINCT order_date) FROM batch_daily")" "  a point a day, each with its value"
SLUICE_NO_DATA_AFTER=100000 serve "$B" SLUICE_NO_DATA_AFTER=100000
dom quality
is "$(tile_of dead_letters):$(tile_of batches)" "$(sqlite3 "$B" "SELECT sum(rejected) || ':' || count(*) FROM data_quality_metrics")" \
    "quality over the batch pipeline's warehouse: its dead letters, a batch"
no_csp_errors

# --- The stream view, from the stream pipeline ---------------------------------------------
S=$SW/warehouse.db
serve "$S" SLUICE_SCHEMA=ecommerce
dom stream
is "$(grep -o '<svg class="chart"' "$T/dom" | wc -l | tr -d ' ')" 2 "stream: Chromium renders its two charts"
no_csp_errors
like "$(cat "$T/dom")" '<title>E-commerce events</title>' "  the schema's title (SLUICE_SCHEMA=ecommerce)"
clock=$(sqlite3 "$S" "SELECT time FROM stream_metrics ORDER BY rowid DESC LIMIT 1")
is "$(tile_of last_update)" "$clock" "  last update: the latest metrics line's time"
# The last window: the newest that had ended by the latest metrics
# line's clock (a complete one), else the newest, as the page takes it
# (on a busy machine a newer, open window can be there already).
last=$(sqlite3 "$S" "SELECT coalesce((SELECT max(window_start) FROM stream_windows WHERE window_end <= '$clock'),
    (SELECT max(window_start) FROM stream_windows))")
is "$(tile_of revenue)" "USD $(grouped "$(sqlite3 "$S" "SELECT round(coalesce(sum(revenue), 0), 2) FROM stream_windows WHERE window_start = '$last'")" 2)" \
    "  revenue of the last window, in the schema's currency"
epm=$(sqlite3 "$S" "SELECT sum(record_count) * 60.0 / (strftime('%s', window_end) - strftime('%s', window_start)) FROM stream_windows WHERE window_start = '$last'")
is "$(tile_of events_per_minute)" "$(node -e "const v = $epm; console.log(v === Math.trunc(v) || v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1))")" \
    "  events per minute over the last window"
is "$(tile_of quality)" "$(sqlite3 "$S" "SELECT printf('%.2f%%', 100.0 * (events_in - rejected) / (events_in + dead_letters)) FROM stream_metrics WHERE program = 'stream-pipeline'")" \
    "  data quality from the stream's own counts (the chain's dead letters, rejects)"
is "$(grep -o '<polyline[^>]*stroke-dasharray' "$T/dom" | wc -l | tr -d ' ')" \
    "$(sqlite3 "$S" "SELECT min(count(*), 8) FROM stream_windows WHERE window_start = '$last'")" \
    "  a line per category (the last window's first 8), dashed: the windows are open"

# --- The realtime job's warehouse, and the ingest job's ----------------------------------------
R=$T/realtime.db
serve "$R" SLUICE_SCHEMA=retail_transactions
dom stream
no_csp_errors
lw="window_start = '2026-01-10T12:10:00Z'"
is "$(tile_of events_per_minute)" "$(sqlite3 "$R" "SELECT sum(total_transactions) FROM transactions_summary WHERE $lw")" \
    "realtime: transactions per minute in the last window"
is "$(tile_of revenue)" "USD $(grouped "$(sqlite3 "$R" "SELECT round(sum(total_revenue), 2) FROM transactions_summary WHERE $lw")" 2)" "  revenue"
is "$(tile_of active_customers)" "$(sqlite3 "$R" "SELECT sum(unique_customers) FROM transactions_summary WHERE $lw")" "  active customers"
is "$(tile_of latency_p50):$(tile_of latency_p99)" "120 ms:480 ms" "  latency p50, p99"
like "$(cat "$T/dom")" 'Revenue per window, by store id' "  a chart by store"
I=$T/ingest.db
serve "$I"
dom quality
no_csp_errors
is "$(tile_of status):$(tile_of dead_letters):$(tile_of duplicates)" \
    "HEALTHY:$(sqlite3 "$I" "SELECT sum(rejected) || ':' || sum(duplicates) FROM data_quality_metrics")" \
    "ingest: status, dead letters, duplicates dropped"
is "$(grep -o '<title>validity · ' "$T/dom" | wc -l | tr -d ' ')" 5 "  validity a batch"
like "$(cat "$T/dom")" 'validity 93.00% is under 95%' "  the latest alerts"

# --- The same views from the realtime and ingest jobs themselves ----------------------------
RD=$T/rt
DATA=$RD RUN_SECONDS=5 RATE=30 SLUICE_BIN=$SLUICE_BIN "$SLUICE_TOP/scripts/realtime-pipeline" 2>"$T/rt.err"
is "$?" 0 "the realtime job's warehouse (scripts/realtime-pipeline, 5 s)"
RW=$RD/warehouse.db
serve "$RW" SLUICE_SCHEMA=retail_transactions
dom stream
no_csp_errors
# The window the page shows (its start in the tile's title) and what the
# warehouse holds for it.
ws=$(sqlite3 "$RW" "SELECT coalesce((SELECT max(window_start) FROM transactions_summary
    WHERE window_end <= (SELECT max(time) FROM stream_metrics WHERE name = 'transactions_summary')),
    (SELECT max(window_start) FROM transactions_summary))")
is "$(curl -s "http://127.0.0.1:$port/cgi-bin/dashboard.cgi?view=stream&format=json" | jq -r .last_window.start)" "${ws:-none}" \
    "realtime job: the last window the newest ended by its latest health line ($ws)"
rlw="window_start = '$ws'"
is "$(tile_of events_per_minute)" "$(sqlite3 "$RW" "SELECT sum(total_transactions) FROM transactions_summary WHERE $rlw")" \
    "realtime job: transactions in its last window ($ws), as transactions_summary holds them"
is "$(tile_of revenue)" "USD $(grouped "$(sqlite3 "$RW" "SELECT round(sum(total_revenue), 2) FROM transactions_summary WHERE $rlw")" 2)" "  revenue"
is "$(tile_of active_customers)" "$(sqlite3 "$RW" "SELECT sum(unique_customers) FROM transactions_summary WHERE $rlw")" "  active customers"
is "$(grep -o '<title>[0-9]* · ' "$T/dom" | sort -u | wc -l | tr -d ' ')" \
    "$(sqlite3 "$RW" "SELECT min(count(DISTINCT store_id), 8) FROM transactions_summary")" "  a line a store in the chart"
ID=$T/in
"$SLUICE_BIN/schema-gen" -q ecommerce -n 400 --rate 4000 --roll-rows 100 -d "$ID/input"
DATA=$ID RUN_SECONDS=0 SETTLE=0 SLUICE_BIN=$SLUICE_BIN "$SLUICE_TOP/scripts/ingest-pipeline" 2>"$T/in.err"
is "$?" 0 "the ingest job's warehouse (scripts/ingest-pipeline over $(ls "$ID/input" | wc -l | tr -d ' ') files)"
IW=$ID/warehouse.db
serve "$IW"
dom quality
no_csp_errors
is "$(tile_of dead_letters):$(tile_of duplicates)" "$(sqlite3 "$IW" "SELECT (SELECT count(*) FROM dead_letter_events) || ':' || (SELECT count(*) FROM duplicate_events)")" \
    "ingest job: dead letters and duplicates dropped, as its tables hold them"
is "$(grep -o '<title>validity · ' "$T/dom" | wc -l | tr -d ' ')" "$(sqlite3 "$IW" 'SELECT count(*) FROM data_quality_metrics')" \
    "  validity a batch, one point a quality row"
top=$(sqlite3 "$IW" "SELECT rule FROM v_dead_letters_by_rule ORDER BY records DESC, rule LIMIT 1")
like "$(cat "$T/dom")" ">${top:-no dead letter}<" "  dead letters by rule, ${top:-none} among them"

# --- The update in place ------------------------------------------------------------------
# A server of our own: the page (HTML) always from the warehouse as it
# was (A), its JSON from the warehouse since changed (B); each page load
# numbered in the title (load-1, load-2, ...), which the script never
# touches.  The new value in a tile can only have come from the JSON,
# put in place by the script; the title says whether the page was
# loaded again.
A=$T/realtime.db
U=$T/updated.db
sqlite3 "$A" ".backup '$U'"
sqlite3 "$U" "UPDATE transactions_summary SET total_revenue = total_revenue + 1000 WHERE $lw;
    INSERT INTO stream_metrics (time, program, events_in, aggregated, late_events, rejected, filtered, watermark)
    VALUES ('2026-01-10T12:11:45Z', 'stream-window', 1100, 1084, 6, 10, 0, '2026-01-10T12:01:45Z')"
mkdir -p "$T/www/cgi-bin"
cat >"$T/www/cgi-bin/dashboard.cgi" <<CGI
#!/bin/sh
case \$QUERY_STRING in
*format=json*) SLUICE_DB='$U' ;;
*) SLUICE_DB='$A'; echo load >>'$T/loads'; SLUICE_TITLE="load-\$(wc -l <'$T/loads' | tr -d ' ')" ;;
esac
SLUICE_CACHE= SLUICE_REFRESH=2 SLUICE_CURRENCY=USD SLUICE_TITLE=\${SLUICE_TITLE:-sluice}
export SLUICE_DB SLUICE_CACHE SLUICE_REFRESH SLUICE_CURRENCY SLUICE_TITLE
exec '$CGI'
CGI
chmod +x "$T/www/cgi-bin/dashboard.cgi"
kill "$spid"
wait "$spid" 2>/dev/null
busybox httpd -f -p "127.0.0.1:$port" -h "$T/www" &
spid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
old=$(sqlite3 "$A" "SELECT round(sum(total_revenue), 2) FROM transactions_summary WHERE $lw")
new=$(sqlite3 "$U" "SELECT round(sum(total_revenue), 2) FROM transactions_summary WHERE $lw")
rm -f "$T/loads"
# Virtual time: 3 s (the refresh is 2 s), the fetches waited for.
dom stream --virtual-time-budget=3000
no_csp_errors
is "$(tile_of revenue)" "USD $(grouped "$new" 2)" "the revenue tile shows the changed warehouse's value ($new, was $old)"
is "$(tile_of last_update)" "2026-01-10T12:11:45Z" "  and last update its newest metrics line"
like "$(cat "$T/dom")" '<title>load-1</title>' "  without a reload: the page is still the first load"
like "$(cat "$T/dom")" '<main [^>]*data-updates="[1-9]' "  updated by the script"
like "$(cat "$T/dom")" "<title>105 · 2026-01-10T12:10:00Z: " "  the chart still there, swapped whole"
rm -f "$T/loads"
dom stream --disable-javascript
is "$(tile_of revenue)" "USD $(grouped "$old" 2)" "JavaScript off: the page as it loaded ($old)"
like "$(cat "$T/dom")" '<noscript><meta http-equiv="refresh" content="2"></noscript>' "  with its refresh in <noscript>"
rm -f "$T/loads"
dom stream --disable-javascript --virtual-time-budget=5000
ok "$(( $(wc -l <"$T/loads") < 2 ))" "  which reloads it whole ($(wc -l <"$T/loads" | tr -d ' ') loads in 5 s)"

done_testing

#!/bin/sh
# dashboard.cgi run as a web server runs it (the CGI environment): status
# and headers, both views' HTML with their tiles and SVG charts, data
# escaped, JSON parsed (by Node.js, not grepped) and checked against the
# warehouse, the whitelist's 404, and NO_DATA for an empty warehouse.
. "$SLUICE_TOP/tests/lib.sh"
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
like "$(cat "$T/body")" '<b class="NO_DATA">NO_DATA</b>' "status NO_DATA"
cgi "view=stream&format=json"
is "$(js 'j.status')" NO_DATA "and NO_DATA in JSON"

# --- A warehouse -------------------------------------------------------------
$SLUICE_WRAP "$SG" -q retail -n 500 --days 5 >"$T/orders.csv"
printf 'order_id,order_date,store_id,store_city,product,quantity,unit_price,amount\n' >"$T/evil.csv"
printf 'X1,2025-01-19,S,City,<script>alert(1)</script>,1,1.00,999999.00\n' >>"$T/evil.csv"
$SLUICE_WRAP "$(prog batch-agg)" -q --kpis "$T/kpis.csv" "$T/orders.csv" "$T/evil.csv" >"$T/daily.csv"
$SLUICE_WRAP "$(prog sqlite-sink)" -q -d "$WH" -t batch_daily "$T/daily.csv"
$SLUICE_WRAP "$(prog sqlite-sink)" -q -d "$WH" -t batch_kpis "$T/kpis.csv"

cgi "view=batch"
is "$rc" 0 "the batch view"
# What every answer says a browser may do with it.
csp=$(sed -n 's/^Content-Security-Policy: //p' "$T/head")
secure='X-Content-Type-Options: nosniff
X-Frame-Options: DENY
Referrer-Policy: no-referrer'
is "$(cat "$T/head")" "$(printf 'Status: 200 OK\nContent-Type: text/html; charset=utf-8\nContent-Security-Policy: %s\n%s\nCache-Control: no-store\n' "$csp" "$secure")" \
    "CGI headers: status, type, the security headers, no caching"
like "$csp" "^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$" \
    "the CSP: nothing but the page's style, by its hash; no framing"
style_hash=$(sed -n 's|.*<style>\(.*\)</style>.*|\1|p' "$T/body" | tr -d '\n' |
    python3 -c 'import base64, hashlib, sys; print("sha256-" + base64.b64encode(hashlib.sha256(sys.stdin.buffer.read()).digest()).decode())')
like "$csp" "style-src '$style_hash'" "  the hash is the page's <style>'s ($style_hash)"
is "$(grep -o '<style' "$T/body" | wc -l | tr -d ' '):$(grep -c ' style=' "$T/body")" "1:0" \
    "  one <style>, no style attributes"
like "$(cat "$T/body")" '<meta http-equiv="refresh" content="10">' "the page refreshes itself"
is "$(grep -o '<div class="tile">' "$T/body" | wc -l | tr -d ' ')" 4 "four KPI tiles"
is "$(grep -o '<svg class="chart"' "$T/body" | wc -l | tr -d ' ')" 2 "two charts, inline SVG"
like "$(cat "$T/body")" '<polyline fill="none"' "a line for the trend"
is "$(grep -c '<script>' "$T/body")" 0 "no <script> in the page"
like "$(cat "$T/body")" '&lt;script&gt;alert\(1\)&lt;/script&gt;' "the product named <script>... shows as text"
revenue=$(sqlite3 "$WH" "SELECT printf('%.2f', sum(total_amount)) FROM batch_daily")
grouped=$(node -e "console.log(Number('$revenue').toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }))")
like "$(cat "$T/body")" "<span>revenue</span><b>INR $grouped</b>" \
    "the revenue tile, with its currency and thousands separators ($grouped)"

cgi "view=batch&format=json"
is "$(sed -n 2p "$T/head")" "Content-Type: application/json" "format=json: JSON"
is "$(js 'j.kpis.records')" "$(sed -n 2p "$T/kpis.csv" | cut -d, -f3)" "records from the KPI table"
is "$(js 'j.kpis.revenue.toFixed(2)')" "$revenue" "revenue as the warehouse sums it"
is "$(js 'j.kpis.distinct')" "$(sqlite3 "$WH" "SELECT count(DISTINCT product) FROM batch_daily")" "distinct products"
is "$(js 'j.trend.length')" "$(sqlite3 "$WH" "SELECT count(DISTINCT order_date) FROM batch_daily")" "a trend point a day"
is "$(js 'j.leaderboard[0].name')" "<script>alert(1)</script>" "the leaderboard, raw in JSON (escaping is HTML's)"
is "$(js 'j.leaderboard.length')" 10 "ten leaders"

# --- The stream view ---------------------------------------------------------------
printf 'window_start,window_end,product,revenue\n' >"$T/win.csv"
for m in 00 15 30 45; do
    for p in Tea Coffee Juice; do
        echo "2025-01-15T10:$m:00Z,2025-01-15T11:$m:00Z,$p,$(( ${#p} * 10 + ${m#0} )).5" >>"$T/win.csv"
    done
done
$SLUICE_WRAP "$(prog sqlite-sink)" -q -d "$WH" -t stream_windows "$T/win.csv"
sqlite3 "$WH" <"$SLUICE_TOP/sink/warehouse.sql" >/dev/null
printf '{"source":"x:1","errors":[{"rule":"r","message":"m"}],"record":{"a":1}}\n' >"$T/dead.jsonl"
$SLUICE_WRAP "$(prog sqlite-sink)" -q -d "$WH" -t dead_letter_events "$T/dead.jsonl"
cgi "view=stream"
is "$rc" 0 "the stream view"
is "$(grep -o '<svg class="chart"' "$T/body" | wc -l | tr -d ' ')" 2 "two charts"
is "$(grep -o '<polyline' "$T/body" | wc -l | tr -d ' ')" 3 "a line per product"
like "$(cat "$T/body")" '<span>last update</span><b>2025-01-15T11:45:00Z</b>' "last update"
like "$(cat "$T/body")" '<span>dead letters</span><b>1</b>' "the dead-letter count"
cgi "view=stream&format=json"
is "$(js 'j.windows.length + " " + j.series.length + " " + j.latest.length')" "4 3 3" "JSON: windows, series, latest window"
is "$(js 'j.series[0].name + " " + j.series[0].revenue.join(",")')" "Coffee 60.5,75.5,90.5,105.5" "a series' values"
is "$(js 'j.latest[0].name + " " + j.latest[0].revenue')" "Coffee 105.5" "the latest window's leader"
is "$(js 'j.health.dead_letters')" 1 "health in JSON"

# --- The page cache: the same request of an unchanged warehouse ------------------------------
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
$SLUICE_WRAP "$(prog sqlite-sink)" -q -d "$WH" -t batch_daily "$T/more-daily.csv"
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
for q in "view=batch" "view=batch&format=json" "view=stream&format=json" "view=nope"; do
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

# --- Rollups (--prepare): the same page, from summaries the triggers keep -----------
RB=$T/roll.db
# batch_json DB: the batch view's JSON body.
batch_json() {
    QUERY_STRING='view=batch&format=json' SLUICE_DB=$1 SLUICE_CACHE= $SLUICE_WRAP "$CGI" |
        sed '1,/^\r$/d'
}
# summed_json DB: the same from a copy without the rollups' triggers (so
# the view sums the table).
summed_json() {
    rm -f "$T/summed.db"
    sqlite3 "$1" ".backup '$T/summed.db'"
    sqlite3 "$T/summed.db" "DROP TRIGGER batch_daily_rollup_insert"
    batch_json "$T/summed.db"
}
rollups_used() {
    [ "$(sqlite3 "$RB" "SELECT group_concat(type || ' ' || name, ', ') FROM (SELECT * FROM sqlite_master
        WHERE name LIKE 'batch_daily_rollup%' ORDER BY name)")" = "table batch_daily_rollup, trigger batch_daily_rollup_delete, trigger batch_daily_rollup_insert, trigger batch_daily_rollup_update" ]
}
$SLUICE_WRAP "$CGI" --prepare "$RB" 2>"$T/prep.err"
is "$?:$(cat "$T/prep.err")" "1:dashboard.cgi: $RB: unable to open database file" \
    "--prepare of no database: exit 1, said (and none made)"
sqlite3 "$RB" "CREATE TABLE other (x)"
$SLUICE_WRAP "$CGI" --prepare "$RB" 2>"$T/prep.err"
is "$?" 1 "--prepare with no batch_daily: exit 1"
like "$(cat "$T/prep.err")" "no table batch_daily" "  and says so"
$SLUICE_WRAP "$(prog sqlite-sink)" -q -d "$RB" -t batch_daily "$T/daily.csv"
batch_json "$RB" >"$T/before.json"
$SLUICE_WRAP "$CGI" --prepare "$RB"
is "$?" 0 "--prepare makes the rollups"
ok "$(rollups_used; echo $?)" "  the rollup table and its three triggers are there"
batch_json "$RB" >"$T/after.json"
is_file "$T/after.json" "$T/before.json" "the page from the rollups is the page from the table"
# That page came from the rollups: change them alone (in a copy) and it
# shows.
rm -f "$T/tamper.db"
sqlite3 "$RB" ".backup '$T/tamper.db'"
sqlite3 "$T/tamper.db" "UPDATE batch_daily_by_date SET revenue = revenue + 1000000"
is "$(batch_json "$T/tamper.db" | node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
    const a = JSON.parse(s), b = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log((a.kpis.revenue - b.kpis.revenue).toFixed(0)) })' "$T/before.json")" \
    "$(( 1000000 * $(sqlite3 "$RB" "SELECT count(*) FROM batch_daily_by_date") ))" \
    "  read from the rollups, not the table (a change to them alone shows in the revenue)"
# Writes after --prepare: an append, an upsert that changes amounts, deletes.
printf 'order_id,order_date,store_id,store_city,product,quantity,unit_price,amount
N1,2025-02-01,S,C,Newcomer,2,10.00,20.00
' >"$T/new.csv"
$SLUICE_WRAP "$(prog batch-agg)" -q "$T/new.csv" "$T/orders.csv" >"$T/new-daily.csv"
$SLUICE_WRAP "$(prog sqlite-sink)" -q -d "$RB" -t batch_daily --mode upsert --key order_date,product "$T/new-daily.csv"
sqlite3 "$RB" "UPDATE batch_daily SET total_amount = total_amount * 3 WHERE product = 'Newcomer';
    DELETE FROM batch_daily WHERE rowid IN (SELECT rowid FROM batch_daily ORDER BY rowid LIMIT 7);
    INSERT INTO batch_daily (order_date, product, total_amount) VALUES (NULL, NULL, 5.5), ('2025-02-02', NULL, NULL)"
batch_json "$RB" >"$T/after.json"
summed_json "$RB" >"$T/summed.json"
is_file "$T/after.json" "$T/summed.json" "after an upsert, updates, deletes and nulls: the rollups agree with the table"
is "$(node -e "const j = JSON.parse(require('fs').readFileSync('$T/after.json', 'utf8')); console.log(j.trend.some(t => t.date === '2025-02-01'), j.kpis.revenue > 0)")" \
    "true true" "  (and the new day is in the trend)"
# A column the rollups were not made for: the view sums the table again.
sqlite3 "$RB" "ALTER TABLE batch_daily ADD COLUMN store_city TEXT; UPDATE batch_daily SET store_city = 'Pune' WHERE rowid % 2 = 0"
batch_json "$RB" >"$T/after.json"
is "$(node -e "console.log(JSON.parse(require('fs').readFileSync('$T/after.json', 'utf8')).leaderboard_of)")" \
    "product · store_city" "a new dimension column: the leaderboard is of segments"
summed_json "$RB" >"$T/summed.json"
is_file "$T/after.json" "$T/summed.json" "  made from the table, not from rollups for other columns"
$SLUICE_WRAP "$CGI" --prepare "$RB"
batch_json "$RB" >"$T/after.json"
is_file "$T/after.json" "$T/summed.json" "  --prepare again: the rollups for the new columns, the same page"
QUERY_STRING= GATEWAY_INTERFACE=CGI/1.1 SLUICE_DB=$T/none.db SLUICE_CACHE= $SLUICE_WRAP "$CGI" --prepare "$T/x.db" >"$T/resp" 2>&1
is "$(head -n 1 "$T/resp" | tr -d '\r'):$([ -e "$T/x.db" ] && echo made)" "Status: 200 OK:" \
    "run by a web server, --prepare is not an option (no database made)"

# --- The whitelist ----------------------------------------------------------------------
for q in "view=admin" "view=batch&x=1" "format=xml" "refresh=abc" "view=batch%27%3B--"; do
    cgi "$q"
    is "$rc:$(head -n 1 "$T/head")" "0:Status: 404 Not Found" "?$q: 404"
    [ "$rc:$(head -n 1 "$T/head")" = "0:Status: 404 Not Found" ] ||
        { head -c 600 "$T/resp"; cat "$T/cgi.err"; } | sed 's/^/#   /' >&2
done
cgi "view=batch&refresh=0"
is "$(grep -c 'http-equiv="refresh"' "$T/body")" 0 "refresh=0: no refresh"

# --- Served by scripts/serve, rendered by headless Chromium -------------------------------
if [ -z "$SLUICE_WRAP" ] && command -v chromium >/dev/null 2>&1; then
    # Below the kernel's ephemeral range (32768 up), which the Kafka
    # tests' connections running alongside draw from.
    port=$(( 12000 + $$ % 20000 ))
    PORT=$port SLUICE_CURRENCY=INR "$SLUICE_TOP/scripts/serve" "$WH" >"$T/serve.out" 2>&1 &
    spid=$!
    for i in $(seq 50); do
        curl -s "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
        sleep 0.1
    done
    like "$(cat "$T/serve.out")" "^dashboard: http://127.0.0.1:$port/cgi-bin/dashboard.cgi" "scripts/serve prints its URL"
    for view in batch stream; do
        chromium --headless --no-sandbox --disable-gpu --dump-dom \
            --enable-logging=stderr --v=0 \
            "http://127.0.0.1:$port/cgi-bin/dashboard.cgi?view=$view&refresh=0" >"$T/dom-$view.html" 2>"$T/chromium.err"
        is "$(grep -o '<svg class="chart"' "$T/dom-$view.html" | wc -l | tr -d ' ')" 2 \
            "Chromium renders the $view view's two charts"
        ok "$(grep -q '<div class="tile"><span>' "$T/dom-$view.html"; echo $?)" \
            "and its tiles"
        is "$(grep -c 'Content Security Policy' "$T/chromium.err")" 0 \
            "  with no CSP violation in its console"
    done
    like "$(cat "$T/dom-batch.html")" '<span>revenue</span><b>INR ' "the batch tiles as rendered"
    like "$(cat "$T/dom-stream.html")" '<span>dead letters</span><b>1</b>' "the stream health as rendered"
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
else
    for i in 1 2 3 4 5 6 7 8 9; do ok 0 "# SKIP Chromium (under valgrind, or not installed)"; done
fi

done_testing

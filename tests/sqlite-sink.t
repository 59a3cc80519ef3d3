#!/bin/sh
# sqlite-sink: rows as the CSV has them (checked by sqlite3 itself against
# the CSV imported raw), upserts replayed twice leaving the same table, a
# column added when a field appears, rejects for types and CHECKs, a slow
# stream landing within the batch time, a locked database, and the
# warehouse's views over cleanse's output, rejects and metrics.
. "$SLUICE_TOP/tests/lib.sh"
SG=$(prog schema-gen)
DB=$T/w.db

# --- Rows as they came -----------------------------------------------------------
$SLUICE_WRAP "$SG" -q retail --per-day 1500 --days 2 >"$T/retail.csv"
run sqlite-sink -D "$DB" -T orders --schema retail "$T/retail.csv"
is "$rc:$(sed 's/, [0-9.]*s$//' "$T/err")" "0:sqlite-sink: 3000 in, 3000 out, 0 rejected, 0 duplicates, 0 filtered, 3000 written" "3000 rows written"
is "$(sqlite3 "$DB" "SELECT type FROM pragma_table_info('orders')" | tr '\n' ' ')" \
    "TEXT TEXT TEXT TEXT TEXT INTEGER REAL REAL " "the table made from the schema's types"
sqlite3 "$DB" ".import --csv '$T/retail.csv' raw"
got=$(sqlite3 "$DB" "SELECT count(*) FROM orders o JOIN raw r USING (order_id)
  WHERE o.order_date = r.order_date AND o.store_id = r.store_id AND o.store_city = r.store_city
    AND o.product = r.product AND o.quantity = CAST(r.quantity AS INTEGER)
    AND o.unit_price = CAST(r.unit_price AS REAL) AND o.amount = CAST(r.amount AS REAL)")
is "$got" 3000 "every row's every value equals the CSV's (sqlite3's own import as the reference)"
is "$(sqlite3 "$DB" "PRAGMA journal_mode")" wal "WAL, so readers read while it writes"

# --- Upsert: replaying the same output twice leaves the same table -----------------------
printf 'window_start,product,revenue\n2025-01-15T10:00:00Z,Tea,10.5\n2025-01-15T10:00:00Z,Coffee,3\n2025-01-15T10:15:00Z,Tea,4\n' >"$T/w1.csv"
run sqlite-sink -D "$DB" -T windows --mode upsert --key window_start,product "$T/w1.csv"
sqlite3 "$DB" ".dump windows" >"$T/dump1"
run sqlite-sink -D "$DB" -T windows --mode upsert --key window_start,product "$T/w1.csv"
sqlite3 "$DB" ".dump windows" >"$T/dump2"
is_file "$T/dump2" "$T/dump1" "upsert replayed twice: the same table"
printf 'window_start,product,revenue\n2025-01-15T10:15:00Z,Tea,9.25\n2025-01-15T10:30:00Z,Tea,1\n' >"$T/w2.csv"
run sqlite-sink -D "$DB" -T windows --mode upsert --key window_start,product "$T/w2.csv"
is "$(sqlite3 "$DB" "SELECT window_start || ' ' || product || ' ' || revenue FROM windows ORDER BY window_start, product" | tr '\n' '|')" \
    "2025-01-15T10:00:00Z Coffee 3.0|2025-01-15T10:00:00Z Tea 10.5|2025-01-15T10:15:00Z Tea 9.25|2025-01-15T10:30:00Z Tea 1.0|" \
    "a later value for a key replaces the row; a new key adds one"
run sqlite-sink -D "$DB" -T windows --mode upsert "$T/w2.csv"
is "$rc" 2 "--mode upsert needs --key"

# --- A field that appears later: a new column ------------------------------------------
printf '{"id":1,"a":"x"}\n{"id":2,"a":"y","b":2.5}\n{"id":3,"c":true}\n' >"$T/evolve.jsonl"
run sqlite-sink -D "$DB" -T evolve --batch-rows 1 "$T/evolve.jsonl"
is "$(sqlite3 "$DB" "SELECT name || ':' || type FROM pragma_table_info('evolve')" | tr '\n' ' ')" \
    "id:INTEGER a:TEXT b:REAL c:INTEGER " "new fields become new columns, typed by their values"
is "$(sqlite3 "$DB" "SELECT id || '|' || coalesce(a, '-') || '|' || coalesce(b, '-') || '|' || coalesce(c, '-') FROM evolve ORDER BY id" | tr '\n' ' ')" \
    "1|x|-|- 2|y|2.5|- 3|-|-|1 " "earlier rows have nulls there"

# --- Two writers at once: a column or table the other made first -----------------------
# Both sinks start on the file at once and read the table before either
# writes (each has opened its FIFO); then one adds a column, or makes
# the table, and the other, adding the same, takes it as it is.
two_writers() { # db first-record second-record [option...]
    rm -f "$T/wa" "$T/wb"; mkfifo "$T/wa" "$T/wb"
    _db=$1 _ra=$2 _rb=$3
    shift 3
    $SLUICE_WRAP "$(prog sqlite-sink)" -D "$_db" -T two "$@" "$T/wa" 2>"$T/wa.err" & wa=$!
    $SLUICE_WRAP "$(prog sqlite-sink)" -D "$_db" -T two "$@" "$T/wb" 2>"$T/wb.err" & wb=$!
    # Each waits to open its FIFO (the kernel's wait_for_partner) when it
    # has read the table; a sink that ended instead would leave the
    # open below waiting for ever, so it is not made.
    for _p in $wa $wb; do
        for _i in $(seq 300); do
            [ "$(cat /proc/$_p/wchan 2>/dev/null)" = wait_for_partner ] && break
            sleep 0.1
        done
    done
    kill -0 $wa $wb 2>/dev/null ||
        { kill $wa $wb 2>/dev/null; wait $wa $wb; echo "a sink ended at the start"; return; }
    exec 4>"$T/wa" 5>"$T/wb"
    echo "$_ra" >&4; exec 4>&-; wait $wa; ra=$?
    echo "$_rb" >&5; exec 5>&-; wait $wb; rb=$?
    echo "$ra $rb"
}
echo '{"a":1}' | "$(prog sqlite-sink)" -q -D "$T/two.db" -T two
is "$(two_writers "$T/two.db" '{"a":2,"c":3}' '{"a":4,"C":5}')" "0 0" \
    "two writers add the same column (c, then C: one name to SQLite): both exit 0"
like "$(cat "$T/wb.err")" "1 in, 1 out, 0 rejected, 0 duplicates, 0 filtered, 1 written" "  the second's row written"
is "$(sqlite3 "$T/two.db" "SELECT a || ':' || coalesce(c, '-') FROM two ORDER BY a" | tr '\n' ' ')" "1:- 2:3 4:5 " \
    "  into the one column"
is "$(two_writers "$T/two-new.db" '{"a":2}' '{"a":4,"b":"x"}')" "0 0" \
    "two writers make the same new table, the second with a column more: both exit 0"
is "$(sqlite3 "$T/two-new.db" "SELECT a || ':' || coalesce(b, '-') FROM two ORDER BY a" | tr '\n' ' ')" "2:- 4:x " \
    "  the table the first made, with the second's column added"
# The other's column is of the kind its declared type says (INTEGER), as
# for a table read at the start: not the boolean the second guessed from
# its first row (--batch-rows 1), which would refuse its next.
is "$(two_writers "$T/two-int.db" '{"a":1,"f":7}' '{"a":2,"f":true}
{"a":3,"f":5}' --batch-rows 1)" "0 0" "two writers make the same table, its column an integer to the first"
like "$(cat "$T/wb.err")" "2 in, 2 out, 0 rejected" "  the second's 5 after a true taken, not rejected"
is "$(sqlite3 "$T/two-int.db" "SELECT a || ':' || f FROM two ORDER BY a" | tr '\n' ' ')" \
    "1:7 2:1 3:5 " "  as integers"

# --- Rejects: types and CHECKs ------------------------------------------------------------
sqlite3 "$DB" "CREATE TABLE checked (id INTEGER, price REAL CHECK (price >= 0))"
printf 'id,price\n1,2.5\nx,3\n3,-1\n4,\n' >"$T/bad.csv"
run sqlite-sink -D "$DB" -T checked --reject "$T/rej.jsonl" "$T/bad.csv"
like "$(err)" "4 in, 2 out, 2 rejected, 0 duplicates, 0 filtered, 2 written" "a wrong type and a failed CHECK rejected, the rest written"
like "$(grep 'bad.csv:3"' "$T/rej.jsonl")" '"rule":"type","message":"id: \\"x\\" is not an int"' "the type, with its place"
like "$(grep 'bad.csv:4"' "$T/rej.jsonl")" '"rule":"constraint","message":"CHECK constraint failed: price >= 0"' "the CHECK, with SQLite's reason"
is "$(sqlite3 "$DB" "SELECT id || ':' || coalesce(price, 'null') FROM checked ORDER BY id" | tr '\n' ' ')" "1:2.5 4:null " "the good rows"

# --- A slow stream lands within the batch time ----------------------------------------------
{ printf 'n\n1\n'; sleep 3; printf '2\n'; } |
    "$(prog sqlite-sink)" -q -D "$DB" -T slow --batch-time 100ms &
sink=$!
for i in $(seq 12); do
    sleep 0.2
    n=$(sqlite3 "$DB" "SELECT count(*) FROM slow" 2>/dev/null || echo 0)
    [ "$n" = 1 ] && break
done
wait $sink
is "$n:$(sqlite3 "$DB" "SELECT count(*) FROM slow")" "1:2" \
    "a quiet stream's row is readable within moments (--batch-time 100ms), not at the next row"

# --- A locked database: a clear error, exit 1 ---------------------------------------------
if [ -z "$SLUICE_WRAP" ]; then
    { echo "BEGIN EXCLUSIVE; INSERT INTO slow VALUES (9);"; sleep 8; echo "COMMIT;"; } | sqlite3 "$DB" &
    locker=$!
    sleep 0.5
    run sqlite-sink -D "$DB" -T slow "$T/bad.csv"
    wait $locker
    is "$rc" 1 "a database locked past the busy timeout: exit 1"
    like "$(err)" "w.db: .*database is locked" "saying so"
else
    ok 0 "# SKIP a lock's timing under valgrind"
    ok 0 "# SKIP a lock's timing under valgrind"
fi

# --- Replace -----------------------------------------------------------------------------
printf 'a\n1\n2\n' >"$T/r1.csv"
printf 'a\n3\n' >"$T/r2.csv"
run sqlite-sink -D "$DB" -T rep "$T/r1.csv"
run sqlite-sink -D "$DB" -T rep --mode replace "$T/r2.csv"
is "$(sqlite3 "$DB" "SELECT group_concat(a) FROM rep")" 3 "--mode replace: the table's rows replaced"

# --- The warehouse: cleanse's output, rejects and metrics, and the views ---------------------
WH=$T/wh.db
sqlite3 "$WH" <"$SLUICE_TOP/sink/warehouse.sql" >/dev/null
$SLUICE_WRAP "$SG" -q ecommerce --per-day 2000 --days 1 >"$T/ec.csv"
$SLUICE_WRAP "$(prog cleanse)" -q --schema ecommerce --dedup event_id --reject "$T/dead.jsonl" \
    --metrics "$T/quality.jsonl" "$T/ec.csv" >"$T/valid.csv" 2>/dev/null
run sqlite-sink -D "$WH" -T ecommerce_events --schema ecommerce "$T/valid.csv"
run sqlite-sink -D "$WH" -T dead_letter_events "$T/dead.jsonl"
run sqlite-sink -D "$WH" -T data_quality_metrics "$T/quality.jsonl"
valid=$(($(wc -l <"$T/valid.csv") - 1))
dead=$(wc -l <"$T/dead.jsonl")
is "$(sqlite3 "$WH" "SELECT (SELECT count(*) FROM ecommerce_events) || ' ' || (SELECT count(*) FROM dead_letter_events)")" \
    "$valid $dead" "ecommerce_events and dead letters loaded ($valid, $dead)"
is "$(sqlite3 "$WH" "SELECT sum(records) FROM v_dead_letters_by_rule WHERE rule = 'duplicate'")" \
    "$(grep -c '"rule":"duplicate"' "$T/dead.jsonl")" "v_dead_letters_by_rule counts the reject file's reasons"
m=$(sqlite3 "$WH" "SELECT \"in\" || ' ' || out || ' ' || rejected || ' ' || duplicates || ' ' || status FROM v_data_quality_dashboard")
like "$m" "^$((valid + dead)) $valid [0-9]+ [0-9]+ HEALTHY$" "v_data_quality_dashboard shows the run's metrics"
is "$(sqlite3 "$WH" "SELECT sum(events) FROM v_category_performance")" "$valid" "v_category_performance covers every event"
is "$(sqlite3 "$WH" "SELECT round(sum(revenue), 2) FROM v_user_segment_analysis")" \
    "$(sqlite3 "$WH" "SELECT round(sum(total_amount), 2) FROM ecommerce_events WHERE event_type = 'purchase'")" \
    "v_user_segment_analysis: revenue adds up to the purchases'"
is "$(sqlite3 "$WH" "SELECT sum(events) FROM v_hourly_event_summary")" "$valid" "v_hourly_event_summary covers every event"
is "$(sqlite3 "$WH" "SELECT round(sum(revenue), 2) || ' ' || sum(revenue > 0 AND event_type <> 'purchase') FROM v_hourly_event_summary")" \
    "$(sqlite3 "$WH" "SELECT round(sum(total_amount), 2) FROM ecommerce_events WHERE event_type = 'purchase'") 0" \
    "v_hourly_event_summary: revenue is sales, the purchases' only (views and searches sell nothing)"

# --- Edge cases a review found -------------------------------------------------
printf '{"a":1}\n{"A":2}\n' >"$T/case.jsonl"
run sqlite-sink -D "$DB" -T cases "$T/case.jsonl"
is "$rc:$(sqlite3 "$DB" "SELECT group_concat(a) FROM cases")" "0:1,2" \
    "field names differing in case are one column (SQLite ignores the case)"
printf '{"k":1,"v":5}\n{"v":6}\n' >"$T/nokey.jsonl"
run sqlite-sink -D "$DB" -T nokey --mode upsert --key k "$T/nokey.jsonl"
run sqlite-sink -D "$DB" -T nokey --mode upsert --key k "$T/nokey.jsonl"
is "$(sqlite3 "$DB" "SELECT count(*) FROM nokey")" 1 "an upsert without its key is rejected (a null key would add a row each replay)"
like "$(err)" "1 rejected" "and counted"
seq 1 2000 | sed '1i n' | gzip -c >"$T/many.csv.gz"
head -c 2000 "$T/many.csv.gz" >"$T/cut.csv.gz"
run sqlite-sink -D "$DB" -T rep --mode replace "$T/cut.csv.gz"
is "$rc:$(sqlite3 "$DB" "SELECT group_concat(a) FROM rep")" "1:3" \
    "--mode replace with a broken input: exit 1, the old rows kept"

run sqlite-sink -T x "$T/r1.csv"
is "$rc" 2 "-D is required"

# Booleans make an INTEGER column; a later run's booleans go into it.
printf '{"k":"a","final":true}\n' >"$T/b1.jsonl"
printf '{"k":"b","final":false}\n' >"$T/b2.jsonl"
printf 'k,final\nc,true\n' >"$T/b3.csv"
for f in b1.jsonl b2.jsonl b3.csv; do run sqlite-sink -D "$T/bool.db" -T t "$T/$f"; done
is "$(sqlite3 "$T/bool.db" 'SELECT k || final FROM t' | tr '\n' ' ')" "a1 b0 c1 " \
    "booleans into the INTEGER column an earlier run made from booleans (JSON and CSV)"
# A pause in a pipe commits what came, but does not fix a new table's
# types from the rows before it: 200 rows with x empty, a pause, then
# numbers with decimals make x REAL, as the same rows from a file do
# (--batch-time 5000ms: the rows are held by time no shorter than the pause,
# even under valgrind).
{ echo id,x; for i in $(seq 200); do echo "$i,"; done
  for i in $(seq 200); do echo "$((i + 200)),$i.5"; done; } >"$T/pause.csv"
{ sed -n 1,201p "$T/pause.csv"; sleep 0.1; sed 1,201d "$T/pause.csv"; } |
    $SLUICE_WRAP "$(prog sqlite-sink)" -q -D "$T/pause.db" -T t --batch-time 5000ms
$SLUICE_WRAP "$(prog sqlite-sink)" -q -D "$T/file.db" -T t "$T/pause.csv"
is "$(sqlite3 "$T/pause.db" "SELECT type FROM pragma_table_info('t') WHERE name = 'x'")" \
    "$(sqlite3 "$T/file.db" "SELECT type FROM pragma_table_info('t') WHERE name = 'x'")" \
    "a pause in the input does not type a new table from the rows before it (x is REAL either way)"
is "$(sqlite3 "$T/pause.db" "SELECT count(*), typeof(max(x)) FROM t")" "400|real" "  all 400 rows, the numbers as numbers"

# --- Wide records ----------------------------------------------------------------------
# A record of 50000 fields is one bad record (a SQLite table has at most
# 2000 columns), found in a pass over its fields, not a scan a field.
awk 'BEGIN { printf "{\"id\":1"; for (i = 0; i < 50000; i++) printf ",\"k%d\":%d", i, i; print "}";
    printf "{\"id\":2"; for (i = 0; i < 1998; i++) printf ",\"k%d\":%d", i, i; print "}" }' >"$T/wide.jsonl"
start=$(date +%s)
export SLUICE_MAX_COLUMNS=60000	# past the default limit (sluice(7))
run sqlite-sink --reject "$T/wide-rej.jsonl" -D "$T/wide.db" -T w "$T/wide.jsonl"
unset SLUICE_MAX_COLUMNS
secs=$(( $(date +%s) - start ))
[ -n "$SLUICE_WRAP" ] && secs=0
like "$rc:$(err | tail -n 1)" "^0:.*2 in, 1 out, 1 rejected, 0 duplicates, 0 filtered, 1 written" "a record of 50000 fields rejected, one of 1999 written"
ok "$(( secs > 15 ))" "  in seconds ($secs), not minutes"
like "$(head -c 300 "$T/wide-rej.jsonl")" '"rule":"columns","message":"its fields would give the table more columns than SQLite allows \(2000\)"' \
    "  with its reason"
is "$(sqlite3 "$T/wide.db" "SELECT count(*), sum(k1997) FROM w; SELECT count(*) FROM pragma_table_info('w')" | tr '\n' ' ')" \
    "1|1997 1999 " "  the 1999 columns of the other"

done_testing

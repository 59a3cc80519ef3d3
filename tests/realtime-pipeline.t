#!/bin/sh
# scripts/realtime-pipeline: three topics of live events through Kafka
# and three stream-windows into the warehouse.  Every row of
# transactions_summary (and of customer_activity, inventory_activity) is
# reconciled with DuckDB's reckoning of the events the topics hold, read
# back with kcat: events per store and minute, revenue and average to
# the cent, distinct customers (HyperLogLog: within its error); the
# chain of counts closes and agrees with the topics and the dead-letter
# files; a rerun takes up the checkpoint (through a cluster that kept
# the topics, and through a new kafka-mock of its own); at 2 events a
# second, windows reach the table within 2 seconds of their events; a
# SIGKILL leaves no process and the lock free.
. "$SLUICE_TOP/tests/lib.sh"
P=$SLUICE_TOP/scripts/realtime-pipeline
DUCK=$SLUICE_TOP/scripts/duckdb
"$DUCK" --install || { echo "Bail out! no DuckDB"; exit 1; }
export SLUICE_BIN
unset KAFKA_BROKERS RATE RUN_SECONDS DATA SIZE WATERMARK TRIGGER

# --- stream-window --round: averages to the cent, worked by hand -----------------
# a: (10.05 + 0) / 2 = 5.025 -> 5.03 (the double 5.025 is below it);
# b: the same negative, -5.03; c: 4 / 3 = 1.333.. -> 1.33; d: 0.125 -> 0.13.
printf '%s\n' g,t,x a,2025-01-01T00:00:01Z,10.05 a,2025-01-01T00:00:02Z,0 \
    b,2025-01-01T00:00:01Z,-10.05 b,2025-01-01T00:00:03Z,0 c,2025-01-01T00:00:01Z,1 \
    c,2025-01-01T00:00:01Z,1 c,2025-01-01T00:00:01Z,2 d,2025-01-01T00:00:01Z,0.125 >"$T/r.csv"
run stream-window -q --time t --size 1m -g g -m avg:x --round 2 "$T/r.csv"
is "$(cut -d, -f3,4 "$T/out" | tr '\n' ' ')" "g,avg_x a,5.03 b,-5.03 c,1.33 d,0.13 " \
    "stream-window --round 2: half away from zero, from the exact sum"
run stream-window -q --time t --size 1m -g g -m avg:x --round 10 "$T/r.csv"
is "$rc" 2 "  --round 10: a usage error"

# chain ERR TOPIC STEP: the text of STEP's line in TOPIC's part of the
# chain of counts in ERR.
chain() {
    sed -n "/^realtime-pipeline:  $2:\$/,/^realtime-pipeline:  [a-z_]*:\$/p" "$1" |
        sed -n "s/^realtime-pipeline:   $3: //p" | head -n 1
}
# kcat_all TOPIC: every message of TOPIC in the test's kafka-mock.
kcat_all() { kcat -C -b "$B" -t "$1" -e -o beginning -q >"$T/$1.jsonl"; }
# reckon DIR: DuckDB's rows of transactions_summary from the topic as
# read back, against the table's: window|store|count|revenue in
# cents|average in cents (half away from zero, in integers), and the
# distinct customers apart ($T/want.hll, $T/got.hll).
reckon() {
    "$DUCK" "SELECT ws || '|' || store_id || '|' || n || '|' || cents || '|' ||
        ((2 * cents + n) // (2 * n)) || '|' || customers AS l
      FROM (SELECT substr(event_time, 1, 17) || '00Z' AS ws, CAST(store_id AS INTEGER) AS store_id,
          count(*) AS n, CAST(sum(CAST(final_amount AS DECIMAL(18, 2))) * 100 AS BIGINT) AS cents,
          count(DISTINCT customer_id) AS customers
        FROM read_json('$T/retail_transactions.jsonl', format = 'newline_delimited',
          columns = {event_time: 'VARCHAR', store_id: 'VARCHAR', customer_id: 'VARCHAR',
                     final_amount: 'VARCHAR'})
        GROUP BY ALL) ORDER BY ws, store_id" | jq -r .l >"$T/want.all"
    sqlite3 "$1/warehouse.db" "SELECT window_start || '|' || store_id || '|' || total_transactions
        || '|' || CAST(round(total_revenue * 100) AS INTEGER) || '|'
        || CAST(round(avg_transaction_value * 100) AS INTEGER) || '|' || unique_customers
        FROM transactions_summary ORDER BY window_start, store_id" >"$T/got.all"
    cut -d'|' -f1-5 "$T/want.all" >"$T/want"
    cut -d'|' -f1-5 "$T/got.all" >"$T/got"
    cut -d'|' -f6 "$T/want.all" >"$T/want.hll"
    cut -d'|' -f6 "$T/got.all" >"$T/got.hll"
}
# hll_within: every distinct count within HyperLogLog's error (3%, 1 for
# small counts); says how many are exact.
hll_within() {
    paste -d' ' "$T/want.hll" "$T/got.hll" | awk '
        { d = $2 - $1; if (d < 0) d = -d; if (d == 0) exact++
          if (d > 1 && d > 0.03 * $1) bad++ }
        END { printf "%d %d %d\n", bad + 0, exact + 0, NR }'
}

# --- SIGKILL: the watcher stops the rest (beside the first part, in the
# background: both mostly wait; results in $T/k.tap, said at the end) ----
K=$T/k
(
    r() { echo "$1 $2" >>"$T/k.tap"; }
    DATA=$K RATE=20 "$P" 2>"$T/k.err" &
    pid=$!
    for i in $(seq 200); do
        [ "$(sqlite3 "$K/warehouse.db" 'SELECT count(*) FROM transactions_summary' 2>/dev/null || echo 0)" -gt 0 ] && break
        sleep 0.1
    done
    kill -KILL $pid
    wait $pid 2>/dev/null
    t0=$(date +%s%3N)
    flock -w 60 "$K/.realtime-pipeline.lock" true
    r $? "SIGKILL: the lock free after $(( $(date +%s%3N) - t0 )) ms (the watcher stopped the rest)"
    r "$(pgrep -f "$K" | wc -l)" "  no process of it left"
    [ ! -e "$K/.realtime-pipeline.run" ]
    r $? "  its run folder removed"
    grep -q "ended without stopping its processes" "$K/logs/realtime-pipeline.log"
    r $? "  the watcher said so in the log"
    logged=$(wc -c <"$K/logs/realtime-pipeline.log")
    DATA=$K RATE=20 RUN_SECONDS=2 "$P" 2>"$T/k2.err"
    r $? "  a rerun: exit 0"
    tail -c +"$((logged + 1))" "$K/logs/realtime-pipeline.log" | grep -q "retail_transactions\[[0-3]\]: from the checkpoint"
    r $? "  from the checkpoint"
    grep -q "counts: the chain closes" "$T/k2.err"
    r $? "  its chain closes"
    [ "$(sqlite3 "$K/warehouse.db" 'PRAGMA integrity_check')" = ok ]
    r $? "  the warehouse is whole"
) &
killer=$!
pids=$killer

# --- A cluster that keeps its topics (KAFKA_BROKERS): 8 s at 40 a second ------------
mock_up -q --create-topic retail_transactions:4 --create-topic customer_events:1 --create-topic inventory_updates:4
A=$T/a
DATA=$A RATE=40 RUN_SECONDS=8 KAFKA_BROKERS=$B "$P" 2>"$T/a.err"
is "$?" 0 "RUN_SECONDS=8, KAFKA_BROKERS: exit 0"
[ -s "$T/a.err" ] && ! grep -q 'chain closes' "$T/a.err" && sed 's/^/#   /' "$T/a.err" "$A/logs/realtime-pipeline.log" >&2
like "$(cat "$T/a.err")" "realtime-pipeline: counts: the chain closes" "  the chain of counts closes"
is "$(sqlite3 "$A/warehouse.db" "SELECT group_concat(name || ' ' || type || ' ' || \"notnull\" || ' ' || pk, ', ')
        FROM pragma_table_info('transactions_summary')")" \
    "id INTEGER 0 1, window_start TEXT 1 0, window_end TEXT 1 0, store_id INTEGER 1 0, total_transactions INTEGER 0 0, total_revenue REAL 0 0, unique_customers INTEGER 0 0, avg_transaction_value REAL 0 0, created_at TEXT 0 0" \
    "  transactions_summary: the contract's columns, no other"
is "$(sqlite3 "$A/warehouse.db" "SELECT group_concat(name, ',') FROM pragma_index_info(
        (SELECT name FROM pragma_index_list('transactions_summary') WHERE origin = 'u' LIMIT 1))")" \
    "window_start,store_id" "  UNIQUE (window_start, store_id)"
for t in retail_transactions customer_events inventory_updates; do
    kcat_all $t
    g=$(chain "$T/a.err" $t generated | cut -d' ' -f1)
    set -- $(chain "$T/a.err" $t cleanse | tr -c '0-9\n' ' ')
    cl_in=$1 cl_out=$2 cl_rej=$3 cl_dup=$4 cl_f=$5
    set -- $(chain "$T/a.err" $t Kafka | tr -c '0-9\n' ' ')
    del=$1 read=$2 left=$3
    set -- $(chain "$T/a.err" $t stream-window | tr -c '0-9\n' ' ')
    sw_in=$1 agg=$2 late=$3 wrej=$4
    ok "$(( ${g:-0} < 100 ))" "$t: $g generated"
    is "$cl_in" "$g" "  cleanse read them all"
    is "$(cat "$A/output/${t}_dead_letter.jsonl" 2>/dev/null | wc -l)" "$cl_rej" \
        "  its $cl_rej dead letters are lines of output/${t}_dead_letter.jsonl"
    is "$del $read $left" "$cl_out $cl_out 0" "  $cl_out sent, delivered and read ($cl_dup duplicates, $cl_f filtered)"
    is "$(wc -l <"$T/$t.jsonl")" "$del" "  the topic holds what the chain says was delivered (kcat)"
    is "$agg $late $wrej" "$sw_in 0 0" "  stream-window aggregated them all"
done
reckon "$A"
is_file "$T/got" "$T/want" \
    "transactions_summary: each store's minute, count, revenue and average to the cent, as DuckDB reckons them ($(wc -l <"$T/want") rows)"
set -- $(hll_within)
is "$1" 0 "  unique_customers within HyperLogLog's error ($2 of $3 exact)"
is "$(sqlite3 "$A/warehouse.db" "SELECT count(*) FROM transactions_summary
        WHERE window_end <> strftime('%Y-%m-%dT%H:%M:%SZ', window_start, '+1 minute')
        OR created_at NOT GLOB '20[0-9][0-9]-*T*Z'")" 0 "  1-minute windows, times in ISO 8601 UTC"
sqlite3 "$A/warehouse.db" "SELECT window_start || ' ' || events || ' ' || active_customers
    FROM customer_activity ORDER BY window_start" >"$T/got.cu"
"$DUCK" "SELECT ws || ' ' || n || ' ' || customers AS l
    FROM (SELECT substr(event_time, 1, 17) || '00Z' AS ws, count(*) AS n, count(DISTINCT customer_id) AS customers
      FROM read_json('$T/customer_events.jsonl', format = 'newline_delimited',
        columns = {event_time: 'VARCHAR', customer_id: 'VARCHAR'}) GROUP BY ALL) ORDER BY ws" |
    jq -r .l >"$T/want.cu"
is "$(cut -d' ' -f1,2 "$T/got.cu")" "$(cut -d' ' -f1,2 "$T/want.cu")" \
    "customer_activity: events a minute, as DuckDB counts them"
cut -d' ' -f3 "$T/want.cu" >"$T/want.hll"
cut -d' ' -f3 "$T/got.cu" >"$T/got.hll"
set -- $(hll_within)
is "$1" 0 "  active customers within HyperLogLog's error ($2 of $3 exact)"
is "$(sqlite3 "$A/warehouse.db" "SELECT window_start || ' ' || warehouse || ' ' || updates || ' ' ||
        net_quantity_change FROM inventory_activity ORDER BY 1")" \
    "$("$DUCK" "SELECT ws || ' ' || warehouse || ' ' || n || ' ' || net AS l
        FROM (SELECT substr(event_time, 1, 17) || '00Z' AS ws, warehouse, count(*) AS n,
          sum(quantity_change) AS net FROM read_json('$T/inventory_updates.jsonl',
          format = 'newline_delimited', columns = {event_time: 'VARCHAR', warehouse: 'VARCHAR',
          quantity_change: 'BIGINT'}) GROUP BY ALL) ORDER BY l" | jq -r .l)" \
    "inventory_activity: updates and net quantity change per warehouse and minute"
g=$(chain "$T/a.err" retail_transactions generated | cut -d' ' -f1)
is "$(sqlite3 "$A/warehouse.db" "SELECT generated || ' ' || chain_closes || ' ' ||
        json_extract(topics, '$.inventory_updates.delivered') FROM stream_metrics WHERE program = 'realtime-pipeline'")" \
    "$g 1 $(wc -l <"$T/inventory_updates.jsonl")" "stream_metrics: the chain's figures, for the dashboard"
ok "$(sqlite3 "$A/warehouse.db" "SELECT count(*) < 5 FROM stream_metrics WHERE program = 'stream-window'")" \
    "  and stream-window's health lines"
is "$(sqlite3 "$A/warehouse.db" "SELECT DISTINCT coalesce(name, '-') FROM stream_metrics")" transactions_summary \
    "  every line named for the table it is about (another job's lines in one warehouse kept apart)"

# A rerun takes up the checkpoint: the windows open at the stop go on,
# and the table is again what the topic, both runs' events, says.
logged=$(wc -c <"$A/logs/realtime-pipeline.log")
DATA=$A RATE=40 RUN_SECONDS=3 KAFKA_BROKERS=$B "$P" 2>"$T/a2.err"
is "$?" 0 "a rerun (RUN_SECONDS=3): exit 0"
tail -c +"$((logged + 1))" "$A/logs/realtime-pipeline.log" >"$T/a2.log"
like "$(cat "$T/a2.log")" "retail_transactions\[[0-3]\]: from the checkpoint" "  from the checkpoint"
like "$(cat "$T/a2.err")" "counts: the chain closes" "  its chain closes"
kcat_all retail_transactions
reckon "$A"
is_file "$T/got" "$T/want" "  transactions_summary is what both runs' events make ($(wc -l <"$T/want") rows)"
set -- $(hll_within)
is "$1" 0 "  unique_customers within HyperLogLog's error ($2 of $3 exact)"

# --- Its own kafka-mock, 2 events a second: how soon windows reach the table ----------
# (hour-long windows, SIZE=1h, for the rerun below)
C=$T/c
DATA=$C RATE=2 RUN_SECONDS=8 SIZE=1h "$P" 2>"$T/c.err" &
pid=$!
pids="$killer $pid"
for i in $(seq 100); do [ -s "$C/.realtime-pipeline.run/brokers" ] && break; sleep 0.1; done
# Each message's time (when kafka-replay sent it), as kcat reads it.
kcat -C -b "$(cat "$C/.realtime-pipeline.run/brokers")" -t retail_transactions -o beginning -u \
    -f '%T\n' >"$T/sent" 2>/dev/null &
kc=$!
pids="$killer $pid $kc"
DATA=$C RUN_SECONDS=1 "$P" 2>"$T/c-second.err"
is "$?" 75 "its own kafka-mock, running: a second one on the same data folder exits 75"
# The transactions the table counts, every 100 ms.
while kill -0 $pid 2>/dev/null; do
    n=$(sqlite3 "$C/warehouse.db" 'SELECT coalesce(sum(total_transactions), 0) FROM transactions_summary' 2>/dev/null) &&
        echo "$(date +%s%3N) $n" >>"$T/seen"
    sleep 0.1
done
wait $pid
is "$?" 0 "its own kafka-mock, 2 events a second: exit 0"
kill $kc 2>/dev/null
wait $kc 2>/dev/null
like "$(cat "$T/c.err")" "counts: the chain closes" "  its chain closes"
agg=$(chain "$T/c.err" retail_transactions stream-window | sed 's/.* = \([0-9]*\) aggregated.*/\1/')
is "$(sqlite3 "$C/warehouse.db" 'SELECT sum(total_transactions) FROM transactions_summary')" "$agg" \
    "  the table counts the $agg transactions aggregated"
# The k-th event sent is counted once the table's count reaches k.
sort -n "$T/sent" | awk -v seen="$T/seen" '
    { sent[NR] = $1 }
    END {
        k = 1
        while ((getline l < seen) > 0) {
            split(l, f, " ")
            while (k <= NR && f[2] + 0 >= k) print f[1] - sent[k++]
        }
        if (k <= NR) print "unseen"
    }' | sort -n >"$T/lat"
n=$(grep -c '^[0-9-]' "$T/lat")
lat="$n $(sed -n "$(( (n + 1) / 2 ))p" "$T/lat") $(tail -n 1 "$T/lat")"
set -- $lat
ok "$(( ${1:-0} != agg || ${3:-99999} > 2000 ))" \
    "  each transaction in the table within 2 s of its sending (${1:-?} events: p50 ${2:-?} ms, max ${3:-?} ms)"
# A rerun with a new kafka-mock of its own, empty: the saved windows go
# on with the new events (--keep-past-end), so the table counts both
# runs'.  (Hour-long windows, so the two runs share one: dropped, its
# row would hold the rerun's transactions alone.)
DATA=$C RATE=20 RUN_SECONDS=2 SIZE=1h "$P" 2>"$T/c2.err"
is "$?" 0 "a rerun with a new kafka-mock: exit 0"
agg2=$(chain "$T/c2.err" retail_transactions stream-window | sed 's/.* = \([0-9]*\) aggregated.*/\1/')
is "$(sqlite3 "$C/warehouse.db" 'SELECT sum(total_transactions) FROM transactions_summary')" "$((agg + agg2))" \
    "  the table counts both runs' transactions ($agg + $agg2): the open windows kept"

# --- SIGKILL, said now ------------------------------------------------------------
wait $killer
while read -r st label; do ok "$st" "$label"; done <"$T/k.tap"
done_testing

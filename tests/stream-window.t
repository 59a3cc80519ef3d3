#!/bin/sh
# stream-window against hand-worked examples: tumbling and sliding
# windows, the watermark's exact boundary (a window is final once
# end <= W; an event is late for a window already final when it
# arrives), late and partly late events, windows written while the
# stream is still open, the idle timeout, bad input, and approx_distinct.
. "$SLUICE_TOP/tests/lib.sh"
SW=$(prog stream-window)
D=$DATA/window

# --- Tumbling, 1 h, watermark 15 m, by product (worked by hand) -------------
# A 10:05 10.00, B 10:20 5.50, A 10:50 2.25, A 11:10 1.00 (W 10:55),
# B 10:58 4.00 (its window ends 11:00 > W: counted), B 11:20 3.00 (W 11:05:
# [10:00, 11:00) is final and written), A 10:59 100.00 (late: its only
# window is final), A 12:00 7.00 (W 11:45), B 11:59 0.50; at the end the
# rest: [11:00, 12:00) A 1.00, B 3.00 + 0.50; [12:00, 13:00) A 7.00.
run stream-window --time ts --size 1h --watermark 15m -g product -m count \
    -m revenue=sum:amount --late "$T/late.jsonl" "$D/tumbling.csv"
is "$rc" 0 "tumbling: exit 0"
is "$(out)" "window_start,window_end,product,record_count,revenue
2025-01-15T10:00:00Z,2025-01-15T11:00:00Z,A,2,12.25
2025-01-15T10:00:00Z,2025-01-15T11:00:00Z,B,2,9.50
2025-01-15T11:00:00Z,2025-01-15T12:00:00Z,A,1,1.00
2025-01-15T11:00:00Z,2025-01-15T12:00:00Z,B,2,3.50
2025-01-15T12:00:00Z,2025-01-15T13:00:00Z,A,1,7.00" "the windows, as worked by hand"
like "$(err)" "9 in, 8 out, 0 rejected, 0 duplicates, 0 filtered, 8 aggregated, 1 late, 0 partly late, 3 windows, 5 rows" \
    "in = aggregated + late + rejected"
like "$(cat "$T/late.jsonl")" '"source":"[^"]*tumbling.csv:8".*"rule":"late".*watermark 2025-01-15T11:05:00Z.*"amount":100.00' \
    "the late event in --late, with its place and the watermark"

# --- Sliding, 1 h every 15 m, no delay (worked by hand) ------------------------
# 10:20 is in the windows from 09:30, 09:45, 10:00 and 10:15.  11:00 moves
# W to 11:00: those ending 10:30, 10:45 and 11:00 are final.  10:10 is
# late (all four of its windows are final); 10:40 counts in the windows
# from 10:15 and 10:30 and is partly late (those from 09:45 and 10:00 are
# final).
run stream-window --time ts --size 1h --slide 15m -f jsonl "$D/sliding.csv"
is "$(out)" '{"window_start":"2025-01-15T09:30:00Z","window_end":"2025-01-15T10:30:00Z","record_count":1}
{"window_start":"2025-01-15T09:45:00Z","window_end":"2025-01-15T10:45:00Z","record_count":1}
{"window_start":"2025-01-15T10:00:00Z","window_end":"2025-01-15T11:00:00Z","record_count":1}
{"window_start":"2025-01-15T10:15:00Z","window_end":"2025-01-15T11:15:00Z","record_count":3}
{"window_start":"2025-01-15T10:30:00Z","window_end":"2025-01-15T11:30:00Z","record_count":2}
{"window_start":"2025-01-15T10:45:00Z","window_end":"2025-01-15T11:45:00Z","record_count":1}
{"window_start":"2025-01-15T11:00:00Z","window_end":"2025-01-15T12:00:00Z","record_count":1}' \
    "sliding: every window holding an event, as worked by hand (JSON Lines)"
like "$(err)" "4 in, 3 out, 0 rejected, 0 duplicates, 0 filtered, 3 aggregated, 1 late, 1 partly late" "  one late, one partly late"

# --- The boundary: end == W is final --------------------------------------------
printf 'ts,v\n1970-01-01T00:00:30Z,1\n1970-01-01T00:01:00Z,2\n1970-01-01T00:00:59.999Z,4\n1970-01-01T00:01:59.999Z,8\n' >"$T/edge.csv"
run stream-window --time ts --size 1m -m s=sum:v "$T/edge.csv"
is "$(out)" "window_start,window_end,s
1970-01-01T00:00:00Z,1970-01-01T00:01:00Z,1
1970-01-01T00:01:00Z,1970-01-01T00:02:00Z,10" \
    "an event at 00:01:00 closes [00:00, 00:01); one at 00:00:59.999 is then late"
like "$(err)" "1 late" "  and counted late"
printf 'ts\n1969-12-31T23:59:30Z\n1970-01-01T00:00:30Z\n' >"$T/neg.csv"
run stream-window --time ts --size 1m "$T/neg.csv"
is "$(out | cut -d, -f1 | tr '\n' ' ')" "window_start 1969-12-31T23:59:00Z 1970-01-01T00:00:00Z " \
    "times before 1970 fall in the right window (floor, not truncation)"

# --- Written as soon as final, while the stream is still open -------------------
mkfifo "$T/fifo"
"$SW" --time ts --size 1m <"$T/fifo" >"$T/live.csv" 2>/dev/null &
sw=$!
exec 4>"$T/fifo"
printf 'ts\n2025-01-15T10:00:10Z\n2025-01-15T10:01:05Z\n' >&4
for i in $(seq 50); do [ -s "$T/live.csv" ] && [ "$(wc -l <"$T/live.csv")" -ge 2 ] && break; sleep 0.1; done
is "$(sed -n 2p "$T/live.csv")" "2025-01-15T10:00:00Z,2025-01-15T10:01:00Z,1" \
    "a final window is written (and flushed) while the input is still open"
exec 4>&-
wait $sw
is "$(tail -n 1 "$T/live.csv")" "2025-01-15T10:01:00Z,2025-01-15T10:02:00Z,1" "  the rest at the end"

# --- Idle timeout: the watermark moves with the clock ------------------------------
now=$(date -u +%Y-%m-%dT%H:%M:%S)
"$SW" --time ts --size 1s --idle-timeout 300ms <"$T/fifo" >"$T/idle.csv" 2>/dev/null &
sw=$!
exec 4>"$T/fifo"
printf 'ts\n%s.100Z\n' "$now" >&4
for i in $(seq 40); do [ "$(wc -l <"$T/idle.csv" 2>/dev/null)" -ge 2 ] && break; sleep 0.1; done
is "$(wc -l <"$T/idle.csv" | tr -d ' ')" 2 "--idle-timeout: with no more input the window is written anyway"
exec 4>&-
wait $sw
is "$(wc -l <"$T/idle.csv" | tr -d ' ')" 2 "  once"

# --- --mode update: values so far every --trigger, then the final ones -----------
"$SW" --time ts --size 1m -g k --mode update --trigger 200ms --health "$T/m.jsonl" \
    <"$T/fifo" >"$T/up.csv" 2>/dev/null &
sw=$!
exec 4>"$T/fifo"
printf 'ts,k\n2025-01-15T10:00:10Z,a\n2025-01-15T10:00:20Z,b\n' >&4
for i in $(seq 50); do [ "$(wc -l <"$T/up.csv" 2>/dev/null)" -ge 3 ] && break; sleep 0.1; done
is "$(cat "$T/up.csv")" "window_start,window_end,k,record_count,final
2025-01-15T10:00:00Z,2025-01-15T10:01:00Z,a,1,false
2025-01-15T10:00:00Z,2025-01-15T10:01:00Z,b,1,false" \
    "update: an open window's values so far, marked final false, within a trigger"
# Another of a's: the next trigger writes a's row only, as Spark's update
# mode does; b's has not changed.
printf '2025-01-15T10:00:30Z,a\n' >&4
for i in $(seq 50); do [ "$(wc -l <"$T/up.csv" 2>/dev/null)" -ge 4 ] && break; sleep 0.1; done
sleep 0.5
is "$(sed 1d "$T/up.csv")" "2025-01-15T10:00:00Z,2025-01-15T10:01:00Z,a,1,false
2025-01-15T10:00:00Z,2025-01-15T10:01:00Z,b,1,false
2025-01-15T10:00:00Z,2025-01-15T10:01:00Z,a,2,false" \
    "  later triggers write only the groups that changed (a's, not b's), once"
printf '2025-01-15T10:01:05Z,a\n' >&4
exec 4>&-
wait $sw
is "$(grep ',true$' "$T/up.csv")" "2025-01-15T10:00:00Z,2025-01-15T10:01:00Z,a,2,true
2025-01-15T10:00:00Z,2025-01-15T10:01:00Z,b,1,true
2025-01-15T10:01:00Z,2025-01-15T10:02:00Z,a,1,true" "  then each window once with final true"
node -e '
const l = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const first = l.find(m => m.latency_p99_ms !== null), last = l[l.length - 1];
console.log(l.length >= 2, last.events_in, last.aggregated, last.windows_emitted, last.rows,
    first !== undefined && first.latency_p99_ms >= 0 && first.latency_p99_ms < 1000, l.every(m => m.program === "stream-window"));
' "$T/m.jsonl" >"$T/got"
is "$(cat "$T/got")" "true 4 4 2 $(( $(wc -l <"$T/up.csv") - 1 )) true true" \
    "--health: a line a trigger and at the end, counts, a latency under a second"
is "$(jq -r 'has("name")' "$T/m.jsonl" | sort -u)" false "  no name without --name"
printf 'ts,k\n2025-01-15T10:00:10Z,a\n' |
    "$SW" -q --time ts --size 1m --health "$T/named.jsonl" --name sales.windows-1 >/dev/null
is "$(jq -r .name "$T/named.jsonl" | sort -u)" sales.windows-1 "--name: said in every --health line"
is "$(jq -r 'has("schema")' "$T/named.jsonl" | sort -u)" false "  no schema without --schema"
printf '{"event_time":"2025-01-15T10:00:10Z","category":"books","price":"2.50","event_type":"view"}\n' |
    "$SW" -q --schema ecommerce --size 1m --health "$T/schema.jsonl" >/dev/null
is "$(jq -r .schema "$T/schema.jsonl" | sort -u)" ecommerce "--schema: named in every --health line (the dataset a dashboard reads the analysis of)"
"$SW" --time ts --size 1m --name 'a"b' </dev/null >/dev/null 2>"$T/name.err"
is "$?:$(head -n 1 "$T/name.err")" '2:stream-window: --name: letters, digits and _-.:/ only, not "a"b"' \
    "  a name JSON would need quoting for: a usage error"

# --- Session windows, gap 15 m, no delay (worked by hand) ------------------------
# a 00:00 and 00:10: one session [00:00, 00:25).  b 00:05: [00:05, 00:20).
# a 00:30 moves W to 00:30: both are final, written in start order; a's
# next is [00:30, 00:45).  b 00:50: W 00:50, a's [00:30, 00:45) final; b
# opens [00:50, 01:05).  a 00:40: a new session [00:40, 00:55), open (its
# end is past W).  a 00:20: [00:20, 00:35) is final already: late.  b 00:58
# joins b's session: [00:50, 01:13), and W 00:58 closes a's [00:40, 00:55).
run stream-window --time ts --session-gap 15m -g user -m count -m sum:amount \
    --late "$T/late-s.jsonl" "$D/sessions.csv"
is "$(out)" "window_start,window_end,user,record_count,sum_amount
2025-01-01T00:00:00Z,2025-01-01T00:25:00Z,a,2,3
2025-01-01T00:05:00Z,2025-01-01T00:20:00Z,b,1,10
2025-01-01T00:30:00Z,2025-01-01T00:45:00Z,a,1,4
2025-01-01T00:40:00Z,2025-01-01T00:55:00Z,a,1,8
2025-01-01T00:50:00Z,2025-01-01T01:13:00Z,b,2,60" "sessions: as worked by hand"
like "$(err)" "8 in, 7 out, 0 rejected, 0 duplicates, 0 filtered, 7 aggregated, 1 late, .* 5 windows, 5 rows" "  one late"
like "$(cat "$T/late-s.jsonl")" '"source":"[^"]*sessions.csv:8".*watermark 2025-01-01T00:50:00Z' \
    "  the late one in --late"
# Merging: c 01:00 [01:00, 01:15) and c 01:20 [01:20, 01:35) are bridged
# by c 01:14 [01:14, 01:29): one session of three.  d 01:00 and d 01:15
# are exactly the gap apart: [01:00, 01:15) and [01:15, 01:30) touch, and
# touching sessions merge (Spark: start <= the session's end; Flink's
# windows intersect): one session.  d 01:31 is a second past the gap: a
# session of its own.
printf 'user,ts,amount\nc,2025-01-01T01:00:00Z,1\nd,2025-01-01T01:00:00Z,100\nc,2025-01-01T01:20:00Z,2\nd,2025-01-01T01:15:00Z,200\nc,2025-01-01T01:14:00Z,4\nd,2025-01-01T01:30:01Z,400\n' >"$T/merge.csv"
run stream-window --time ts --session-gap 15m --watermark 1h -g user -m count -m sum:amount "$T/merge.csv"
is "$(out)" "window_start,window_end,user,record_count,sum_amount
2025-01-01T01:00:00Z,2025-01-01T01:35:00Z,c,3,7
2025-01-01T01:00:00Z,2025-01-01T01:30:00Z,d,2,300
2025-01-01T01:30:01Z,2025-01-01T01:45:01Z,d,1,400" "sessions merge when an event bridges them, and when they touch; past the gap, a new one"
# Against an independent reckoning: 20000 events of 200 keys in random
# order over a day, on whole minutes (so gaps of exactly 10 are common),
# nothing late (--watermark 1d); awk sorts each key's events by time and
# starts a session wherever the gap is more than 10 minutes (exactly 10
# touches, and joins).
awk 'BEGIN { srand(7); print "k,t"; for (i = 0; i < 20000; i++) printf "u%d,%d\n", int(rand() * 200), 1736899200 + 60 * int(rand() * 1440) }' >"$T/rand.csv"
run stream-window --time t --session-gap 10m --watermark 1d -g k -m count "$T/rand.csv"
out | tail -n +2 | awk -F, '{ print $3, $1, $2, $4 }' | sort >"$T/got-s"
tail -n +2 "$T/rand.csv" | sort -t, -k1,1 -k2,2n | awk -F, '
    function flush() { if (n) printf "%s %s %s %d\n", key, iso(first), iso(last + 600), n }
    function iso(t) { return strftime("%Y-%m-%dT%H:%M:%SZ", t, 1) }
    $1 != key || $2 - last > 600 { flush(); key = $1; first = $2; n = 0 }
    { last = $2; n++ } END { flush() }' | sort >"$T/want-s"
is_file "$T/got-s" "$T/want-s" "sessions of 20000 events in random order equal awk's reckoning ($(wc -l <"$T/want-s") sessions)"
# A stream of ever new keys keeps only the open sessions.
awk 'BEGIN { print "ts,k"; for (i = 0; i < 50000; i++) printf "%d,k%d\n", 1736899200 + int(i / 100), i }' >"$T/new-keys.csv"
run stream-window --time ts --session-gap 2s -g k "$T/new-keys.csv"
is "$(out | tail -n +2 | wc -l | tr -d " ")" 50000 "50000 new keys: a session each"
run stream-window --time ts --session-gap 15m --size 1h "$T/merge.csv"
is "$rc" 2 "--session-gap with --size: a usage error"
run stream-window --time ts --session-gap 15m --mode update "$T/merge.csv"
is "$rc" 2 "--session-gap with --mode update: a usage error (rows of a session that moved could not be replaced)"

# --- Defaults from the schema's analysis: time, groups, metrics --------------------------
printf '{"order_date":"2025-01-15","product":"Chai","amount":1.50}\n{"order_date":"2025-01-15","product":"Chai","amount":2.25}\n{"order_date":"2025-01-16","product":"Dosa","amount":4}\n' >"$T/retail.jsonl"
run stream-window --schema retail --size 1d -f jsonl "$T/retail.jsonl"
is "$(out)" '{"window_start":"2025-01-15T00:00:00Z","window_end":"2025-01-16T00:00:00Z","product":"Chai","record_count":2,"sum_amount":3.75,"avg_amount":1.875}
{"window_start":"2025-01-16T00:00:00Z","window_end":"2025-01-17T00:00:00Z","product":"Dosa","record_count":1,"sum_amount":4.00,"avg_amount":4}' \
    "--schema: the time, groups and metrics from its analysis section"
run stream-window --time ts --size 1h --checkpoint "$T/ck" "$T/merge.csv"
is "$rc" 2 "--checkpoint without Kafka: a usage error (a pipe cannot be read again)"

# --- Bad input ------------------------------------------------------------------------
printf 'ts,amount\n2025-01-15T10:00:00Z,1.5\nyesterday,2\n,3\n2025-01-15T10:00:01Z,abc\n2025-01-15T10:00:02Z,4\n' >"$T/bad.csv"
run stream-window --time ts --size 1h -m sum:amount --reject "$T/rej.jsonl" "$T/bad.csv"
is "$(out | tail -n 1)" "2025-01-15T10:00:00Z,2025-01-15T11:00:00Z,5.5" "bad records do not stop the stream"
like "$(err)" "5 in, 2 out, 3 rejected, 0 duplicates, 0 filtered, 2 aggregated, 0 late" "  they are counted"
is "$(node -e 'require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").forEach(l => { const j = JSON.parse(l); console.log(j.source.replace(/.*:/, "") + " " + j.errors[0].rule) })' "$T/rej.jsonl" | tr '\n' ' ')" \
    "3 time 4 time 5 number " "  and written to --reject with place and rule"
run stream-window --size 1h "$T/bad.csv"
is "$rc" 2 "no --time: a usage error"
run stream-window --time ts --size 1h --slide 2h "$T/bad.csv"
is "$rc" 2 "--slide longer than --size: a usage error"

# --- approx_distinct: within 2% ----------------------------------------------------------
awk 'BEGIN { print "ts,user"; for (i = 0; i < 200000; i++) printf "2025-01-15T10:%02d:00Z,u%d\n", i % 60, i % 100000 }' >"$T/users.csv"
run stream-window --time ts --size 1h -m users=approx_distinct:user -m exact=distinct:user "$T/users.csv"
got=$(out | tail -n 1 | cut -d, -f3)
is "$(out | tail -n 1 | cut -d, -f4)" 100000 "distinct: 100000 users exactly"
ok "$(( got < 98000 || got > 102000 ))" "approx_distinct: $got for 100000 (within 2%)"
# --- Against DuckDB: the same sliding windows from a query --------------------------------
DUCK=$SLUICE_TOP/scripts/duckdb
"$DUCK" --install || { echo "Bail out! no DuckDB"; exit 1; }
$SLUICE_WRAP "$(prog schema-gen)" -q ecommerce --per-day 3000 --anomalies 0 | mlr --csv sort -f event_time >"$T/events.csv"
run stream-window --time event_time --size 1h --slide 15m --watermark 15m -g category \
    -m count -m revenue=sum:price -m lo=min:price -m users=distinct:user_id "$T/events.csv"
cp "$T/out" "$T/ours.csv"
like "$(err)" " 0 late, " "time-ordered events: none late"
"$DUCK" "SELECT strftime(ws, '%Y-%m-%dT%H:%M:%SZ') AS window_start,
    strftime(ws + INTERVAL 1 HOUR, '%Y-%m-%dT%H:%M:%SZ') AS window_end, category,
    count(*)::VARCHAR AS record_count, sum(price::DECIMAL(18,2))::VARCHAR AS revenue,
    min(price::DECIMAL(18,2))::VARCHAR AS lo, count(DISTINCT user_id)::VARCHAR AS users
  FROM (SELECT category, price, user_id, unnest(generate_series(
      time_bucket(INTERVAL 15 MINUTE, event_time::TIMESTAMP) - INTERVAL 45 MINUTE,
      time_bucket(INTERVAL 15 MINUTE, event_time::TIMESTAMP), INTERVAL 15 MINUTE)) AS ws
    FROM read_csv('$T/events.csv', all_varchar = true))
  GROUP BY ALL ORDER BY ALL" >"$T/theirs.jsonl"
"$DUCK" "SELECT * FROM read_csv('$T/ours.csv', all_varchar = true)" >"$T/ours.jsonl"
is_file "$T/ours.jsonl" "$T/theirs.jsonl" \
    "1h/15m sliding windows by category equal DuckDB's query: count, exact sum, min, distinct ($(wc -l <"$T/theirs.jsonl") rows)"
# Events in no time order (by user), none late, in windows of SIZE
# minutes every SLIDE: the same answer as DuckDB's query of the same
# windows (from the epoch: every start holding an event, past its time
# less the size).
mlr --csv sort -f user_id "$T/events.csv" >"$T/shuffled.csv"
against_duckdb() {
    run stream-window --time event_time --size "$1m" --slide "$2m" --watermark 1000d \
        -g category -m count -m hi=max:price -m users=distinct:user_id "$T/shuffled.csv"
    cp "$T/out" "$T/ours.csv"
    like "$(err)" " 0 late, 0 partly late, " "$1m/$2m, events in no time order: none late"
    "$DUCK" "SELECT strftime(ws, '%Y-%m-%dT%H:%M:%SZ') AS window_start,
        strftime(ws + INTERVAL $1 MINUTE, '%Y-%m-%dT%H:%M:%SZ') AS window_end, category,
        count(*)::VARCHAR AS record_count, max(price::DECIMAL(18,2))::VARCHAR AS hi,
        count(DISTINCT user_id)::VARCHAR AS users
      FROM (SELECT category, price, user_id, t, unnest(generate_series(
          time_bucket(INTERVAL $2 MINUTE, t, TIMESTAMP '1970-01-01') - INTERVAL $(($1 / $2 * $2)) MINUTE,
          time_bucket(INTERVAL $2 MINUTE, t, TIMESTAMP '1970-01-01'), INTERVAL $2 MINUTE)) AS ws
        FROM (SELECT *, event_time::TIMESTAMP AS t FROM read_csv('$T/shuffled.csv', all_varchar = true)))
      WHERE ws > t - INTERVAL $1 MINUTE
      GROUP BY ALL ORDER BY ALL" >"$T/theirs.jsonl"
    "$DUCK" "SELECT * FROM read_csv('$T/ours.csv', all_varchar = true)" >"$T/ours.jsonl"
    is_file "$T/ours.jsonl" "$T/theirs.jsonl" \
        "$1m/$2m sliding windows, $3, equal DuckDB's query ($(wc -l <"$T/theirs.jsonl") rows)"
}
against_duckdb 50 20 "kept as slices of 10 minutes (the greatest common divisor)"
# Slices of a minute would be seven a slide: each window is kept whole.
against_duckdb 10 7 "each window kept whole"
# The last hour of 9999: a window that would end in the year 10000 is a
# time sluice cannot read back ("+10000-01-01..."): its event is rejected.
printf '%s\n' '{"t":"9999-12-31T22:30:00Z"}' '{"t":"9999-12-31T23:30:00Z"}' >"$T/y9999.jsonl"
run stream-window --time t --size 1h "$T/y9999.jsonl"
is "$(out)" '{"window_start":"9999-12-31T22:00:00Z","window_end":"9999-12-31T23:00:00Z","record_count":1}' \
    "a window ending at 9999-12-31T23:00:00Z is written"
like "$(err)" 'y9999.jsonl:2: t: its window would end past 9999-12-31' \
    "  one that would end in the year 10000: rejected, with its place"
like "$(err)" '2 in, 1 out, 1 rejected, 0 duplicates, 0 filtered, 1 aggregated, 0 late' "  and counted"
done_testing

#!/bin/sh
# Live, not only batch: a slow writer feeds each program one record at a
# time, pausing first so the program waits for input; each record must
# come out (on stdout, in --reject, --late, the warehouse) within 100 ms.
# A program that kept its output in a buffer until it filled would time
# out here (trickle waits a second, then says "timeout").
. "$SLUICE_TOP/tests/lib.sh"

trickle=$(prog trickle)
bound=100
# Under valgrind a program is slowed some 20-fold: the same checks, a
# bound it can keep.
[ -n "$SLUICE_WRAP" ] && bound=2000

# slow LABEL [trickle options] INPUT -- PROGRAM ARGS: every record out
# within the bound, and the program ended well.
slow() {
    _label=$1
    shift
    "$trickle" -p 60 -t 3000 "$@" >"$T/lat" 2>"$T/lat.err"
    _n=$(grep -c '^[0-9]' "$T/lat")
    _max=$(grep '^[0-9]' "$T/lat" | sort -g | tail -n 1)
    is "$(grep -c timeout "$T/lat"):$(tail -n 1 "$T/lat")" "0:exit 0" \
        "$_label: every record came out, exit 0"
    ok "$(awk -v m="${_max:-9999}" -v b="$bound" 'BEGIN { print !(m < b) }')" \
        "$_label: $_n records, each out within ${bound} ms (slowest ${_max:-none} ms)"
}

# One program, under the test's wrapper (valgrind), as trickle runs it.
w() { echo $SLUICE_WRAP "$(prog "$1")"; }

"$SLUICE_BIN/schema-gen" -q retail -n 12 --days 1 --anomalies 0 >"$T/retail.csv"
"$SLUICE_BIN/schema-gen" -q ecommerce --per-day 4 --anomalies 0 -f jsonl | head -n 12 >"$T/ec.jsonl"

# shellcheck disable=SC2046
slow "the record layer (rec-cat), CSV" -H 1 "$T/retail.csv" -- $(w rec-cat)
# shellcheck disable=SC2046
slow "rec-cat, CSV to JSON Lines" -H 1 "$T/retail.csv" -- $(w rec-cat) -f jsonl
# shellcheck disable=SC2046
slow "cleanse, the retail rules" -H 1 "$T/retail.csv" -- $(w cleanse) -q
# shellcheck disable=SC2046
slow "cleanse --schema ecommerce, JSON Lines" "$T/ec.jsonl" -- \
    $(w cleanse) -q --schema ecommerce -f jsonl
# shellcheck disable=SC2046
slow "kafka-replay --stdout" -H 1 "$T/retail.csv" -- $(w kafka-replay) -q --stdout
# Update mode: a changed window's row every trigger.
# shellcheck disable=SC2046
slow "stream-window --mode update --trigger 20ms" "$T/ec.jsonl" -- \
    $(w stream-window) -q --time now --size 1h -g event_type \
    --mode update --trigger 20ms -f jsonl

# Dead letters as they come: a bad amount each line.
{ echo "order_id,order_date,product,amount"
  for i in 1 2 3 4 5 6; do echo "$i,2025-01-15,Tea,x$i"; done; } >"$T/bad.csv"
: >"$T/rej1.jsonl"
# shellcheck disable=SC2046
slow "cleanse --reject" -H 1 -w "$T/rej1.jsonl" "$T/bad.csv" -- \
    $(w cleanse) -q --reject "$T/rej1.jsonl"
: >"$T/rej2.jsonl"
# shellcheck disable=SC2046
slow "batch-agg --reject" -H 1 -w "$T/rej2.jsonl" "$T/bad.csv" -- \
    $(w batch-agg) -q --reject "$T/rej2.jsonl"
is "$(wc -l <"$T/rej2.jsonl" | tr -d ' ')" 6 "batch-agg: the six dead letters, one a record"

# Late events as they come: after one at 12:00 with no allowed delay,
# each earlier one is late for its (final) window.
{ echo '{"t":"2025-01-15T12:00:00Z","k":"a"}'
  for i in 1 2 3 4 5; do echo "{\"t\":\"2025-01-15T0$i:00:00Z\",\"k\":\"a\"}"; done; } >"$T/late.jsonl"
: >"$T/late-out.jsonl"
# shellcheck disable=SC2046
"$trickle" -p 60 -t 3000 -w "$T/late-out.jsonl" "$T/late.jsonl" -- \
    $(w stream-window) -q --time t --size 1h -g k --late "$T/late-out.jsonl" \
    >"$T/lat" 2>"$T/lat.err"
# The first event is on time (nothing comes out for it: its window is
# open); each of the other five is a late line within the bound.
is "$(sed -n 1p "$T/lat")" timeout "stream-window --late: an event on time writes no late line"
sed 1d "$T/lat" | grep '^[0-9]' | sort -g | tail -n 1 >"$T/max"
is "$(sed 1d "$T/lat" | grep -c '^[0-9]')" 5 "stream-window --late: the five late events"
ok "$(awk -v b="$bound" '{ print !($1 < b) }' "$T/max")" \
    "stream-window --late: each late line out within ${bound} ms ($(cat "$T/max") ms)"

# The warehouse: each row committed as it comes (sqlite3 is polled); the
# schema gives the table's types, so no rows are held to infer them.
db=$T/live.db
# shellcheck disable=SC2046
"$trickle" -p 60 -t 3000 -H 1 \
    -c "sqlite3 $db 'SELECT count(*) FROM t' 2>/dev/null || echo 0" \
    "$T/retail.csv" -- $(w sqlite-sink) -q -D "$db" -T t --schema retail --batch-time 60000ms \
    >"$T/lat" 2>"$T/lat.err"
is "$(grep -c timeout "$T/lat"):$(tail -n 1 "$T/lat")" "0:exit 0" \
    "sqlite-sink: every row visible to another reader as it comes, exit 0"
# Polling sqlite3 takes some milliseconds of its own: a bound with room.
ok "$(grep '^[0-9]' "$T/lat" | sort -g | tail -n 1 | awk -v b="$((bound * 2))" '{ print !($1 < b) }')" \
    "sqlite-sink: each row visible within $((bound * 2)) ms, although a transaction may last a minute (--batch-time 60000ms)"
is "$(sqlite3 "$db" 'SELECT count(*) FROM t')" 12 "sqlite-sink: all twelve rows"

# A generator paced to 20 records a second: each line as it is made.
"$SLUICE_BIN/schema-gen" -q ecommerce --rate 20 -n 10 -f jsonl 2>/dev/null |
    while IFS= read -r _; do date +%s%N; done >"$T/stamps"
is "$(wc -l <"$T/stamps" | tr -d ' ')" 10 "schema-gen --rate: ten records"
ok "$(awk 'NR > 1 { d = ($1 - p) / 1e6; if (d > big) big = d } { p = $1 }
    END { print !(big < 300) }' "$T/stamps")" \
    "schema-gen --rate 20: the lines come about 50 ms apart, none held back (under 300 ms)"

done_testing

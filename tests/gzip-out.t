#!/bin/sh
# An output named *.gz is gzip, as an input of that name is read as gzip:
# -o in every program that has it, and the files a program appends to
# (--reject, --late) or writes at the end (--kpis, --stats).  Its text is
# the plain run's, byte for byte; the next program reads it back; a
# growing one (a slow writer upstream) shows each record as it comes; a
# file appended to run after run stays whole gzip, even after a run cut
# short; a full disk is said with the file's name, exit 1.
. "$SLUICE_TOP/tests/lib.sh"

"$SLUICE_BIN/schema-gen" -q retail -n 40 --days 2 >"$T/retail.csv"
"$SLUICE_BIN/schema-gen" -q ecommerce -n 30 --anomalies 0 -f jsonl >"$T/ec.jsonl"
"$SLUICE_BIN/cleanse" -q "$T/retail.csv" >"$T/clean.csv"
{ echo "order_id,order_date,product,amount"
  for i in 1 2 3 4 5; do echo "$i,2025-01-15,Tea,x$i"; done
  echo "6,2025-01-15,Tea,6.50"; } >"$T/bad.csv"

# same LABEL NAME PROGRAM ARGS...: PROGRAM ARGS with "-o OUT" run twice,
# OUT as $T/NAME, then as $T/NAME.gz; the second is gzip (gzip -t), and
# its text is the first's, byte for byte.
same() {
    _label=$1 _name=$2
    shift 2
    _prog=$1
    shift
    run "$_prog" "$@" -o "$T/$_name"
    _rc1=$rc
    run "$_prog" "$@" -o "$T/$_name.gz"
    is "$_rc1:$rc" 0:0 "$_label: both runs exit 0"
    gzip -t "$T/$_name.gz" 2>"$T/gz.err"
    ok $? "$_label: -o $_name.gz is gzip$( [ -s "$T/gz.err" ] && echo " ($(cat "$T/gz.err"))")"
    gzip -dc "$T/$_name.gz" >"$T/$_name.text" 2>/dev/null
    ok "$(( $(wc -c <"$T/$_name") == 0 ))" "$_label: the plain run wrote something"
    is_file "$T/$_name.text" "$T/$_name" "$_label: its text is the plain run's"
}

# --- -o, every program that has it ---------------------------------------
same "cleanse" c1.csv cleanse -q "$T/retail.csv"
same "cleanse -f jsonl" c2.jsonl cleanse -q -f jsonl "$T/retail.csv"
same "batch-agg" a1.csv batch-agg -q "$T/clean.csv"
same "batch-agg --partial" p1.jsonl batch-agg -q --partial "$T/clean.csv"
same "batch-agg --merge" m1.csv batch-agg -q --merge "$T/p1.jsonl"
same "stream-window" w1.jsonl stream-window -q --time event_time --size 1h \
    -g event_type -f jsonl "$T/ec.jsonl"
same "parquet-sink (the Parquet file, gzipped)" f1.parquet parquet-sink -q "$T/clean.csv"
same "rec-cat (the record layer)" r1.csv rec-cat -q "$T/retail.csv"

# The other files a program writes, by the same rule.
run cleanse -q --reject "$T/rej.jsonl" "$T/bad.csv"
run cleanse -q --reject "$T/rej.jsonl.gz" "$T/bad.csv"
gzip -t "$T/rej.jsonl.gz"
ok $? "cleanse --reject x.gz: gzip"
gzip -dc "$T/rej.jsonl.gz" >"$T/rej.text"
is_file "$T/rej.text" "$T/rej.jsonl" "  its dead letters are the plain run's"
is "$(wc -l <"$T/rej.text" | tr -d ' ')" 5 "  the five bad amounts"
run batch-agg -q --kpis "$T/k.csv" "$T/clean.csv"
run batch-agg -q --kpis "$T/k.csv.gz" "$T/clean.csv"
gzip -dc "$T/k.csv.gz" >"$T/k.text"
is_file "$T/k.text" "$T/k.csv" "batch-agg --kpis x.gz: gzip, the plain run's text"
{ echo '{"t":"2025-01-15T12:00:00Z","k":"a"}'
  for i in 1 2 3; do echo "{\"t\":\"2025-01-15T0$i:00:00Z\",\"k\":\"a\"}"; done; } >"$T/late.jsonl"
run stream-window -q --time t --size 1h -g k --late "$T/late.out" "$T/late.jsonl"
run stream-window -q --time t --size 1h -g k --late "$T/late.out.gz" "$T/late.jsonl"
gzip -dc "$T/late.out.gz" >"$T/late.text"
is_file "$T/late.text" "$T/late.out" "stream-window --late x.gz: gzip, the plain run's text"
is "$(wc -l <"$T/late.text" | tr -d ' ')" 3 "  the three late events"
run cleanse -q --stats "$T/s.json.gz" "$T/bad.csv"
is "$(gzip -dc "$T/s.json.gz" | jq -c '[.in, .out, .rejected]')" "[6,1,5]" \
    "--stats x.gz: gzip JSON with the counts"

# --- Read back by the next program ----------------------------------------
run cleanse -q -o "$T/c.csv.gz" "$T/retail.csv"
run batch-agg -q -o "$T/a.csv.gz" "$T/c.csv.gz"
is "$rc" 0 "batch-agg reads cleanse's c.csv.gz"
gzip -dc "$T/a.csv.gz" >"$T/a.text"
is_file "$T/a.text" "$T/a1.csv" "  and its gzip result is the plain pipeline's"
"$SLUICE_BIN/cleanse" -q -o "$T/pipe.csv.gz" <"$T/retail.csv"
"$SLUICE_BIN/batch-agg" -q <"$T/pipe.csv.gz" >"$T/pipe.csv"
is_file "$T/pipe.csv" "$T/a1.csv" "  on standard input too (gzip sniffed)"

# --- Appended to, run after run -------------------------------------------
rm -f "$T/app.jsonl.gz" "$T/app.jsonl"
for i in 1 2 3; do
    run cleanse -q --reject "$T/app.jsonl.gz" "$T/bad.csv"
    cat "$T/rej.jsonl" >>"$T/app.jsonl"
done
gzip -t "$T/app.jsonl.gz"
ok $? "--reject x.gz appended to by three runs: whole gzip (a member a run)"
gzip -dc "$T/app.jsonl.gz" >"$T/app.text"
is_file "$T/app.text" "$T/app.jsonl" "  the three runs' dead letters in order"

# A run killed mid-write leaves a member cut short: the next run ends it
# after its last whole line, says so, and appends a whole member.
many() { echo "order_id,order_date,product,amount"
         for i in $(seq 1 300); do echo "$i,2025-01-15,Tea,x$i"; done; }
many >"$T/many.csv"
rm -f "$T/cut.jsonl.gz"
run cleanse -q --reject "$T/cut.jsonl.gz" "$T/many.csv"
run cleanse -q --reject "$T/cut.jsonl.gz" "$T/many.csv"
size=$(wc -c <"$T/cut.jsonl.gz")
head -c $((size - size / 4)) "$T/cut.jsonl.gz" >"$T/c2.gz"
mv "$T/c2.gz" "$T/cut.jsonl.gz"
# What the cut file still reads as, to its last whole line.
gzip -dc "$T/cut.jsonl.gz" 2>/dev/null >"$T/cut.part"
kept=$(wc -l <"$T/cut.part" | tr -d ' ')
ok "$(( kept <= 300 || kept >= 600 ))" "  (the cut falls in the second run's member: $kept lines readable)"
run cleanse -q --reject "$T/cut.jsonl.gz" "$T/bad.csv"
is "$rc" 0 "appending to a gzip file whose last member was cut short: exit 0"
like "$(cat "$T/err")" "cut.jsonl.gz: its last gzip member was cut short \(a run stopped mid-write\?\): its $((kept - 300)) whole lines kept" \
    "  said, with what was kept"
gzip -t "$T/cut.jsonl.gz"
ok $? "  the file is whole gzip again"
{ head -n "$kept" "$T/cut.part"; cat "$T/rej.jsonl"; } >"$T/cut.want"
gzip -dc "$T/cut.jsonl.gz" >"$T/cut.text"
is_file "$T/cut.text" "$T/cut.want" "  every whole line kept, then this run's"

# Not gzip at all: left as it is, exit 1.
echo "plain text" >"$T/plain.gz"
run cleanse -q --reject "$T/plain.gz" "$T/bad.csv"
is "$rc:$(cat "$T/plain.gz")" "1:plain text" "--reject x.gz over a file that is not gzip: exit 1, the file untouched"
like "$(cat "$T/err")" "plain.gz: not gzip data" "  said"

# --- A full disk ----------------------------------------------------------
ln -s /dev/full "$T/full.csv.gz"
run cleanse -q -o "$T/full.csv.gz" "$T/retail.csv"
is "$rc" 1 "-o x.gz on a full disk: exit 1"
like "$(cat "$T/err")" "^cleanse: $T/full.csv.gz: No space left on device" "  said with the file's name"
ln -s /dev/full "$T/fullrej.jsonl.gz"
run cleanse -q --reject "$T/fullrej.jsonl.gz" "$T/bad.csv"
is "$rc" 1 "--reject x.gz on a full disk: exit 1"
like "$(cat "$T/err")" "fullrej.jsonl.gz: No space left on device" "  said with the file's name"

# --- Live: a growing .gz shows each record as it comes ---------------------
trickle=$(prog trickle)
bound=200
[ -n "$SLUICE_WRAP" ] && bound=3000
w() { echo $SLUICE_WRAP "$(prog "$1")"; }
# live LABEL FILE [trickle options] INPUT -- PROGRAM ARGS: each record
# shows in zcat of FILE, while the program runs, within the bound.
live() {
    _label=$1 _f=$2
    shift 2
    rm -f "$_f"
    "$trickle" -p 80 -t 3000 -c "gzip -dc '$_f' 2>/dev/null | wc -l" "$@" \
        >"$T/lat" 2>"$T/lat.err"
    _max=$(grep '^[0-9]' "$T/lat" | sort -g | tail -n 1)
    is "$(grep -c timeout "$T/lat"):$(tail -n 1 "$T/lat")" "0:exit 0" \
        "$_label: every record showed in the growing file, exit 0"
    ok "$(awk -v m="${_max:-9999}" -v b="$bound" 'BEGIN { print !(m < b) }')" \
        "$_label: each within ${bound} ms (slowest ${_max:-none} ms)"
    gzip -t "$_f"
    ok $? "$_label: whole gzip at the end"
}
head -n 9 "$T/retail.csv" >"$T/few.csv"
# shellcheck disable=SC2046
live "rec-cat -o x.csv.gz" "$T/live.csv.gz" -H 1 "$T/few.csv" -- \
    $(w rec-cat) -q -o "$T/live.csv.gz"
head -n 6 "$T/bad.csv" >"$T/allbad.csv"
# shellcheck disable=SC2046
live "cleanse --reject x.jsonl.gz" "$T/live-rej.jsonl.gz" -H 1 "$T/allbad.csv" -- \
    $(w cleanse) -q --reject "$T/live-rej.jsonl.gz"
head -n 8 "$T/ec.jsonl" >"$T/few.jsonl"
# shellcheck disable=SC2046
live "stream-window --mode update -o x.jsonl.gz" "$T/live-w.jsonl.gz" "$T/few.jsonl" -- \
    $(w stream-window) -q --time now --size 1h -g event_type --mode update \
    --trigger 20ms -f jsonl -o "$T/live-w.jsonl.gz"
{ echo '{"t":"2025-01-15T12:00:00Z","k":"a"}'
  for i in 1 2 3 4 5; do echo "{\"t\":\"2025-01-15T0$i:00:00Z\",\"k\":\"a\"}"; done; } >"$T/late6.jsonl"
rm -f "$T/live-late.gz"
# shellcheck disable=SC2046
"$trickle" -p 80 -t 3000 -c "gzip -dc '$T/live-late.gz' 2>/dev/null | wc -l" \
    "$T/late6.jsonl" -- $(w stream-window) -q --time t --size 1h -g k \
    --late "$T/live-late.gz" >"$T/lat" 2>"$T/lat.err"
is "$(sed -n 1p "$T/lat"):$(sed 1d "$T/lat" | grep -c '^[0-9]'):$(tail -n 1 "$T/lat")" \
    "timeout:5:exit 0" "stream-window --late x.gz: each of the five late events showed as it came"

# --- Checkpoints: a file cut back to one is whole gzip ---------------------
# stream-window reading Kafka saves the output's length with each
# checkpoint and, started again, cuts the file back to it: a gzip output
# ends its member there, so the cut file is whole gzip and the next run's
# member follows.  The same two runs with a plain output: the same text.
mock_up --create-topic ev:1
FAST="-X session.timeout.ms=6000 -X heartbeat.interval.ms=500"
# both LABEL: the events replayed into the topic, then read to its end
# into the plain output and into the gzip one, each with its checkpoint.
both() {
    "$(prog kafka-replay)" -q -b "$B" -t ev "$T/ec.jsonl"
    for o in ck.jsonl ck.jsonl.gz; do
        run stream-window -q --time event_time --size 1h -g event_type \
            -b "$B" -t ev -G "g-$o" $FAST --checkpoint "$T/ck-$o" \
            -o "$T/$o" --stop-at-end
        is "$rc" 0 "$1 ($o): exit 0"
    done
}
both "stream-window -o FILE --checkpoint, from Kafka"
len=$(jq '.files[] | select(.role == "output") | .length' "$T"/ck-ck.jsonl.gz/*.ckpt)
head -c "$len" "$T/ck.jsonl.gz" | gzip -t
ok $? "  the output's length at the checkpoint ($len bytes) ends a gzip member"
both "  again, going on from the checkpoint"
gzip -t "$T/ck.jsonl.gz"
ok $? "  cut back to the checkpoint and appended to: whole gzip"
gzip -dc "$T/ck.jsonl.gz" >"$T/ck.text"
ok "$(( $(wc -l <"$T/ck.jsonl") == 0 ))" "  (the plain output has rows)"
is_file "$T/ck.text" "$T/ck.jsonl" "  its text is the plain output's"

done_testing

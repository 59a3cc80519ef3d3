#!/bin/sh
# Stops and crashes of both sinks.  SIGTERM before the end of the input:
# a replace (parquet-sink's overwrite and -o, sqlite-sink --mode replace)
# keeps the old data, an append keeps what is complete, and both exit 1
# saying so.  SIGKILL at random points (seeded: SINK_CRASH_SEED, else
# random; the seed is printed) in every mode: readers only ever see a
# complete earlier or later state (DuckDB over the Parquet files;
# PRAGMA integrity_check and counts for SQLite), and a rerun gives what
# an uninterrupted run gives (appends cannot resume: their man pages say
# so; an upsert's rerun does not double rows).
. "$SLUICE_TOP/tests/lib.sh"
DUCK=$SLUICE_TOP/scripts/duckdb
"$DUCK" --install || { echo "Bail out! no DuckDB"; exit 1; }
PQ=$(prog parquet-sink)
SQ=$(prog sqlite-sink)

# gen N RUN: rows id 1..N over 40 days (so that a run's end, its files
# finished and its partitions swapped in, takes a good part of it, and
# kills land there too), tagged with the run.
gen() {
    awk -v n="$1" -v run="$2" 'BEGIN { print "id,day,run,v"
        for (i = 1; i <= n; i++) printf "%d,2025-%02d-%02d,%s,%d\n", i, int(i % 40 / 20) + 1,
            i % 20 + 1, run, (i * 7) % 1000 }'
}
gen 50000 a >"$T/a.csv"
gen 200000 b >"$T/b.csv"
gen 60000 b >"$T/sb.csv"	# sqlite-sink is slower

# --- A stop before the end of the input ---------------------------------------------
# stop_mid N PROGRAM ARGS...: PROGRAM reads the first N lines of b.csv
# from a FIFO, and is sent SIGTERM while it waits for more.
pause=0.5
[ -n "$SLUICE_WRAP" ] && pause=5
stop_mid() {
    _n=$1; _p=$2; shift 2
    rm -f "$T/fifo"; mkfifo "$T/fifo"
    $SLUICE_WRAP "$_p" "$@" <"$T/fifo" >/dev/null 2>"$T/err" &
    _pid=$!
    exec 4>"$T/fifo"
    head -n "$_n" "$T/b.csv" >&4
    sleep $pause
    kill -TERM $_pid
    rc=0; wait $_pid || rc=$?
    exec 4>&-
}
days_sql="SELECT string_agg(day || ':' || run || ':' || n, ' ' ORDER BY day) AS r FROM
    (SELECT day, run, count(*) AS n FROM read_parquet('DIR/**/*.parquet', hive_partitioning = true) GROUP BY 1, 2)"
days() { "$DUCK" "$(echo "$days_sql" | sed "s|DIR|$1|")"; }
run parquet-sink -d "$T/stop" -p day "$T/a.csv"
before=$(days "$T/stop")
stop_mid 11 "$PQ" -d "$T/stop" -p day
like "$rc:$(err)" "^1:parquet-sink: stopped before the end of the input: nothing replaced, every partition in .*/stop is as it was \(10 records read not written\)" \
    "parquet-sink overwrite, stopped after 10 rows: exit 1, nothing replaced, as it says"
is "$(days "$T/stop")" "$before" "  every old partition kept whole"
is "$(ls -a "$T" | grep -c '^\.stop\.stage')" 0 "  no staging folder left"
run parquet-sink -d "$T/stop1" "$T/a.csv"
stop_mid 11 "$PQ" -d "$T/stop1"
is "$rc:$("$DUCK" "SELECT count(*) AS n FROM read_parquet('$T/stop1/*.parquet')")" '1:{"n":"50000"}' \
    "parquet-sink overwrite of a whole folder, stopped: exit 1, the old folder kept"
run parquet-sink -o "$T/stop.parquet" "$T/a.csv"
sum=$(cksum <"$T/stop.parquet")
stop_mid 11 "$PQ" -o "$T/stop.parquet"
like "$rc:$(err)" "^1:parquet-sink: stopped before the end of the input: .*stop.parquet is as it was" \
    "parquet-sink -o, stopped: exit 1"
is "$(cksum <"$T/stop.parquet")" "$sum" "  the old file kept"
stop_mid 2001 "$PQ" -d "$T/stopapp" --mode append --roll-rows 500
like "$rc:$(err)" "^1:parquet-sink: stopped before the end of the input: 2000 rows in 4 complete files are in place" \
    "parquet-sink append, stopped: exit 1, what is complete in place"
is "$("$DUCK" "SELECT count(*) AS n FROM read_parquet('$T/stopapp/*.parquet')")" '{"n":"2000"}' \
    "  every row read is in the files"
run sqlite-sink -D "$T/stop.db" -T t --mode replace "$T/a.csv"
stop_mid 11 "$SQ" -D "$T/stop.db" -T t --mode replace
like "$rc:$(err)" "^1:sqlite-sink: stopped before the end of the input: table t is as it was \(10 records read not written\)" \
    "sqlite-sink --mode replace, stopped after 10 rows: exit 1, as it says"
is "$(sqlite3 "$T/stop.db" "SELECT count(*), min(run) FROM t")" "50000|a" "  the old rows kept (the transaction rolled back)"
stop_mid 11 "$SQ" -D "$T/stop.db" -T fresh --mode replace
is "$rc:$(sqlite3 "$T/stop.db" "SELECT count(*) FROM sqlite_schema WHERE name = 'fresh'")" "1:0" \
    "  a new table stopped before the end is not made"
stop_mid 11 "$SQ" -D "$T/stop.db" -T app
like "$rc:$(err)" "^1:sqlite-sink: stopped before the end of the input: 10 rows committed to table app, each batch whole \(0 records read not written\)" \
    "sqlite-sink append, stopped: exit 1, what is committed said"
is "$(sqlite3 "$T/stop.db" "SELECT count(*) FROM app")" 10 "  every row read is in the table"

# --- SIGKILL at random points ---------------------------------------------------------
if [ -n "$SLUICE_WRAP" ]; then
    for i in $(seq 12); do ok 0 "# SKIP kills under valgrind (timing)"; done
    done_testing
    exit
fi
seed=${SINK_CRASH_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
echo "# seed $seed (SINK_CRASH_SEED=$seed to run these kills again)"
KILLS=7	# a mode: 21 kills a sink
# Kill points: KILLS a mode, uniform over 1.2 times a whole run.
awk -v seed="$seed" 'BEGIN { srand(seed); for (i = 0; i < 100; i++) printf "%.3f\n", rand() * 1.2 }' >"$T/points"
point=0
landed=0
# kill_at SECONDS_OF_A_RUN PROGRAM ARGS...: start it, SIGKILL it at the
# next random point.
kill_at() {
    _len=$1; shift
    point=$((point + 1))
    _at=$(sed -n "${point}p" "$T/points" | awk -v l="$_len" '{ printf "%.3f", $1 * l }')
    "$@" >/dev/null 2>&1 &
    _pid=$!
    sleep "$_at"
    kill -KILL $_pid 2>/dev/null && landed=$((landed + 1))
    wait $_pid 2>/dev/null
    :
}
# seconds PROGRAM ARGS...: how long a whole run takes (at least 0.05).
seconds() {
    _s=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    awk -v s="$_s" -v e="$(date +%s.%N)" 'BEGIN { d = e - s; printf "%.3f", d < 0.05 ? 0.05 : d }'
}

# parquet-sink, overwrite partitioned: each day a's rows or b's, whole.
want_a=$(gen 50000 a | awk -F, 'NR > 1 { n[$2]++ } END { for (d in n) print d ":a:" n[d] }' | sort)
want_b=$(gen 200000 b | awk -F, 'NR > 1 { n[$2]++ } END { for (d in n) print d ":b:" n[d] }' | sort)
"$PQ" -q -d "$T/ref" -p day "$T/a.csv"
"$PQ" -q -d "$T/ref" -p day "$T/b.csv"
"$PQ" -q -d "$T/lake" -p day "$T/a.csv"
"$PQ" -q -d "$T/len" -p day "$T/a.csv"	# b's run then swaps, as below
len=$(seconds "$PQ" -q -d "$T/len" -p day "$T/b.csv")
bad=0
for i in $(seq $KILLS); do
    kill_at "$len" "$PQ" -q -d "$T/lake" -p day "$T/b.csv"
    got=$(days "$T/lake" | sed 's/.*"r":"//; s/".*//')
    [ "$(echo "$got" | wc -w)" = 40 ] || { bad=$((bad + 1)); echo "# lake: $got" >&2; }
    for p in $got; do
        printf '%s\n%s\n' "$want_a" "$want_b" | grep -qx "$p" || { bad=$((bad + 1)); echo "# lake: $p" >&2; }
    done
    echo "# kill $i: $(echo "$got" | tr ' ' '\n' | grep -c ':b:') of 40 days replaced"
done
is "$bad" 0 "parquet-sink -d -p, killed $KILLS times: each day's partition a's whole or b's whole"
"$PQ" -q -d "$T/lake" -p day "$T/b.csv"
is "$(days "$T/lake")" "$(days "$T/ref")" "  the rerun gives the uninterrupted run's lake"
is "$(ls -a "$T" | grep -c '^\.lake\.stage')" 0 "  the killed runs' staging folders removed"

# parquet-sink -o: the old file or the new, byte for byte.
"$PQ" -q -o "$T/ref.parquet" "$T/b.csv"
"$PQ" -q -o "$T/one.parquet" "$T/a.csv"
olds=$(cksum <"$T/one.parquet")
news=$(cksum <"$T/ref.parquet")
len=$(seconds "$PQ" -q -o "$T/len.parquet" "$T/b.csv")
bad=0
for i in $(seq $KILLS); do
    kill_at "$len" "$PQ" -q -o "$T/one.parquet" "$T/b.csv"
    now=$(cksum <"$T/one.parquet")
    [ "$now" = "$olds" ] || [ "$now" = "$news" ] || bad=$((bad + 1))
done
is "$bad" 0 "parquet-sink -o, killed $KILLS times: the old file or the new, byte for byte"
"$PQ" -q -o "$T/one.parquet" "$T/b.csv"
is "$(cksum <"$T/one.parquet")" "$news" "  the rerun's file is the uninterrupted run's"
is "$(ls -a "$T" | grep -c '\.tmp-')" 0 "  no temporary file left"

# parquet-sink append: only whole files (DuckDB reads them all), of
# --roll-rows rows each.
len=$(seconds "$PQ" -q -d "$T/len-app" --mode append --roll-rows 20000 "$T/b.csv")
bad=0
for i in $(seq $KILLS); do
    kill_at "$len" "$PQ" -q -d "$T/app" --mode append --roll-rows 20000 "$T/b.csv"
    ls "$T/app"/*.parquet >/dev/null 2>&1 || continue	# none finished yet
    n=$("$DUCK" "SELECT count(*) AS n, count(DISTINCT filename) AS f FROM read_parquet('$T/app/*.parquet', filename = true)" 2>&1)
    echo "$n" | grep -Eq '^\{"n":"[0-9]+","f":"[0-9]+"\}$' || { bad=$((bad + 1)); echo "# append: $n" >&2; continue; }
    rows=$(echo "$n" | sed 's/.*"n":"\([0-9]*\)".*/\1/')
    [ $((rows % 20000)) = 0 ] || bad=$((bad + 1))
done
is "$bad" 0 "parquet-sink append, killed $KILLS times: only complete files of 20000 rows"

# sqlite-sink append, from the same start each time: a's rows, then a
# prefix of b's (whole transactions), the database sound.
"$SQ" -q -D "$T/base.db" -T t "$T/a.csv"
len=$(seconds "$SQ" -q -D "$T/len.db" -T t "$T/sb.csv")
# sound DB SQL: integrity_check's answer, then SQL's.
sound() { sqlite3 "$1" "PRAGMA integrity_check; $2" | tr '\n' ' '; }
bad=0
for i in $(seq $KILLS); do
    rm -f "$T/app.db"*
    cp "$T/base.db" "$T/app.db"
    kill_at "$len" "$SQ" -q -D "$T/app.db" -T t "$T/sb.csv"
    got=$(sound "$T/app.db" "SELECT count(*), sum(id) FROM t WHERE run = 'a';
        SELECT count(*) = coalesce(max(id), 0) AND coalesce(sum(id), 0) = count(*) * (count(*) + 1) / 2 FROM t WHERE run = 'b'")
    [ "$got" = "ok 50000|1250025000 1 " ] || { bad=$((bad + 1)); echo "# append: $got" >&2; }
done
is "$bad" 0 "sqlite-sink append, killed $KILLS times: the old rows and a prefix of the new, integrity_check ok"

# sqlite-sink upsert by id: b's rows ids 1..m, a's the rest; the rerun
# does not double a row.
"$SQ" -q -D "$T/ref.db" -T t --mode upsert --key id "$T/a.csv"
"$SQ" -q -D "$T/ref.db" -T t --mode upsert --key id "$T/sb.csv"
"$SQ" -q -D "$T/ups.db" -T t --mode upsert --key id "$T/a.csv"
len=$(seconds "$SQ" -q -D "$T/len2.db" -T t --mode upsert --key id "$T/sb.csv")
bad=0
for i in $(seq $KILLS); do
    kill_at "$len" "$SQ" -q -D "$T/ups.db" -T t --mode upsert --key id "$T/sb.csv"
    got=$(sound "$T/ups.db" "SELECT count(*) = max(id), count(*) = max(50000, (SELECT count(*) FROM t WHERE run = 'b'))
        FROM t; SELECT count(*) = coalesce(max(id), 0) FROM t WHERE run = 'b'")
    [ "$got" = "ok 1|1 1 " ] || { bad=$((bad + 1)); echo "# upsert: $got" >&2; }
done
is "$bad" 0 "sqlite-sink upsert, killed $KILLS times: b's rows a prefix, a's the rest, none twice, integrity_check ok"
"$SQ" -q -D "$T/ups.db" -T t --mode upsert --key id "$T/sb.csv"
q="SELECT count(*), sum(id), sum(v), sum(run = 'b') FROM t"
is "$(sqlite3 "$T/ups.db" "$q")" "$(sqlite3 "$T/ref.db" "$q")" "  the rerun gives the uninterrupted run's table"

# sqlite-sink replace: a's table or b's, whole.
"$SQ" -q -D "$T/rep.db" -T t --mode replace "$T/a.csv"
len=$(seconds "$SQ" -q -D "$T/len3.db" -T t --mode replace "$T/sb.csv")
bad=0
for i in $(seq $KILLS); do
    kill_at "$len" "$SQ" -q -D "$T/rep.db" -T t --mode replace "$T/sb.csv"
    got=$(sound "$T/rep.db" "SELECT run || ':' || count(*) FROM t GROUP BY run")
    [ "$got" = "ok a:50000 " ] || [ "$got" = "ok b:60000 " ] || { bad=$((bad + 1)); echo "# replace: $got" >&2; }
done
is "$bad" 0 "sqlite-sink replace, killed $KILLS times: a's table or b's, whole, integrity_check ok"
"$SQ" -q -D "$T/rep.db" -T t --mode replace "$T/sb.csv"
is "$(sqlite3 "$T/rep.db" "$q")" "$(sqlite3 "$T/ref.db" "$q")" \
    "  the rerun gives the uninterrupted run's table"
echo "# $landed of $point kills landed while the sink ran"
ok "$(( landed * 3 < point ))" "a third of the kills or more landed mid-run ($landed of $point)"

done_testing

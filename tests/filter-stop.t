#!/bin/sh
# cleanse and batch-agg -o FILE: the file appears whole at the end of
# input or not at all.  A stop (SIGTERM, SIGINT) before the end of input
# leaves the old file as it was, no temporary behind, and exits 1 saying
# so; on stdout, cleanse's records passed on stay passed on and batch-agg
# writes no groups made from part of its input.
. "$SLUICE_TOP/tests/lib.sh"

"$(prog schema-gen)" -q retail --per-day 30 --days 2 >"$T/in.csv"
head -11 "$T/in.csv" >"$T/head.csv"

# stopped SIGNAL OUT PROGRAM ARGS...: PROGRAM reads the first 10 rows from
# a pipe that stays open, and gets SIGNAL once it is reading (its -o
# temporary is there, or its first record is out); $rc its status, its
# stdout in $T/out, stderr in $T/err.
stopped() {
    _sig=$1 _out=$2 _p=$(prog "$3"); shift 3
    rm -f "$T/feed" "$T/out"
    mkfifo "$T/feed"
    $SLUICE_WRAP "$_p" "$@" <"$T/feed" >"$T/out" 2>"$T/err" &
    _pid=$!
    exec 4>"$T/feed"
    cat "$T/head.csv" >&4
    for _i in $(seq 300); do
        if [ "$_out" = - ]; then
            [ -s "$T/out" ] && break
        else
            ls -a "$T" | grep -q "^\.$_out\.tmp-" && break
        fi
        sleep 0.1
    done
    # Read all it was given (the temporary is there as the input opens).
    sleep 0.3
    kill "-$_sig" "$_pid"
    rc=0
    wait "$_pid" || rc=$?
    exec 4>&-
}

for p in cleanse batch-agg; do
    case $p in
    cleanse) args="-q --schema retail" ;;
    batch-agg) args="-q" ;;
    esac
    # shellcheck disable=SC2086
    run $p $args -o "$T/$p.want" "$T/in.csv"
    is "$rc" 0 "$p -o: a whole run"
    echo old >"$T/$p.csv"
    # shellcheck disable=SC2086
    stopped TERM "$p.csv" $p $args -o "$T/$p.csv"
    is "$rc" 1 "$p -o, SIGTERM before the end of input: exit 1"
    is "$(cat "$T/$p.csv")" old "$p -o: the old file is left as it was"
    like "$(err)" "^$p: stopped before the end of input; left as it was: $T/$p.csv\$" \
        "$p: says so, naming the file"
    is "$(ls -a "$T" | grep -c '\.tmp-')" 0 "$p: no temporary left behind"
    # The end of input: the file is replaced, whole.
    # shellcheck disable=SC2086
    run --stdin "$T/in.csv" $p $args -o "$T/$p.csv"
    is "$rc" 0 "$p -o, to the end: exit 0"
    is_file "$T/$p.csv" "$T/$p.want" "$p -o: replaced by the whole run's"
done

# On stdout: cleanse's 10 records are out, live, before the stop.
stopped TERM - cleanse -q --schema retail
is "$rc" 1 "cleanse to stdout, SIGTERM: exit 1"
"$(prog cleanse)" -q --schema retail "$T/head.csv" >"$T/head.want"
is_file "$T/out" "$T/head.want" "cleanse to stdout: the records read were passed on"
like "$(err)" "^cleanse: stopped before the end of input\$" "cleanse to stdout: says so"

# batch-agg to stdout: no groups from part of the input (it writes at
# the end, so wait for it to read instead).
rm -f "$T/feed"; mkfifo "$T/feed"
$SLUICE_WRAP "$(prog batch-agg)" -q <"$T/feed" >"$T/out" 2>"$T/err" &
pid=$!
exec 4>"$T/feed"
cat "$T/head.csv" >&4
sleep 1
[ -n "$SLUICE_WRAP" ] && sleep 3
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
exec 4>&-
is "$rc" 1 "batch-agg to stdout, SIGTERM: exit 1"
is "$(wc -c <"$T/out" | tr -d ' ')" 0 "batch-agg to stdout: no groups from part of the input"

# An input that cannot be read, after one that could: to stdout, the
# records of the first stay passed on, all of them (the buffer too),
# with exit 1; to -o, no file.
run cleanse "$T/in.csv" "$T/missing.csv"
is "$rc:$(wc -l <"$T/out" | tr -d ' ')" "1:$(wc -l <"$T/in.csv" | tr -d ' ')" \
    "cleanse to stdout, its second input missing: exit 1, the first input's records all out"
rm -f "$T/o.csv"
run cleanse -o "$T/o.csv" "$T/in.csv" "$T/missing.csv"
is "$rc:$([ -e "$T/o.csv" ] && echo there || echo none)" "1:none" "  to -o: no file"

done_testing

#!/bin/sh
# Fault injection: every program that writes files, run under faults.so
# (tests/tools/faults.c) with its Nth write, fsync, rename, open or
# malloc failing, for N = 1, 2, 3, ... until a run completes without the
# fault firing.  Each run must end one of two ways: exit 0 with every
# output identical to the fault-free run's, or exit 1 saying why, with
# each output as it was before the run or as the fault-free run makes it
# (nothing half-done published, no temporary left).  Never a crash, never
# exit 0 with other output.
. "$SLUICE_TOP/tests/lib.sh"
FAULTS=$SLUICE_TOOLS/faults.so
SG=$(prog schema-gen)

# A sanitizer's runtime or valgrind replaces malloc itself and must come
# first: the shim is for plain builds.
if [ -n "$SLUICE_WRAP" ] || ldd "$SG" 2>/dev/null | grep -q 'libasan'; then
    echo "1..0 # SKIP fault injection needs a plain build, not run under a sanitizer or valgrind"
    exit 0
fi
[ -f "$FAULTS" ] || { echo "Bail out! no $FAULTS (make check builds it)"; exit 1; }

"$SG" -q retail --per-day 30 --days 2 >"$T/in.csv"
"$SG" -q retail --per-day 20 --days 3 --seed 7 >"$T/old.csv"
W=$T/w            # a program's outputs, and nothing else
mkdir "$T/ref"

# The failing call's errno, and what the program must then say.
errno_of() {
    case $1 in
    write) echo ENOSPC ;; fsync) echo EIO ;; rename) echo EIO ;;
    open) echo EMFILE ;; malloc) echo ENOMEM ;;
    esac
}
reason_of() {
    case $1 in
    ENOSPC) echo 'No space left on device' ;; EIO) echo 'Input/output error' ;;
    EMFILE) echo 'Too many open files' ;; ENOMEM) echo 'out of memory|Cannot allocate memory' ;;
    esac
}

# state: what a reader of $W sees, one line a unit (a file at the top, or
# a folder of part files: a partition), "unit digest".  A database is read
# through SQLite (which rolls a failed transaction back, as any reader
# would); part files are known by their content, not their random names.
state() {
    (cd "$W" && find . -name '.*' ! -name . -prune -o -type f ! -name '*-journal' \
        ! -name '*-wal' ! -name '*-shm' -print | sort |
    while IFS= read -r f; do
        case $f in
        *.db) d=$(sqlite3 "$f" .dump | cksum) ;;
        # A run's counts say how long it took: all but that.
        # (A failed run's counts are published too: they must be JSON.)
        *stats.json) d="$(sed 's/"seconds":[0-9.e+-]*//' "$f" | cksum) $(
            jq -e . "$f" >/dev/null 2>&1 && echo JSON)" ;;
        *) d=$(cksum <"$f") ;;
        esac
        case $f in
        ./*/*/*) echo "${f%/*} $d" ;;     # a partition: its folder
        *) echo "$f $d" ;;
        esac
    done | awk '{ u = $1; $1 = ""; d[u] = d[u] $0 } END { for (u in d) print u, d[u] }' |
    sort)
    # Hidden names (temporaries, staging folders) are never published.
    (cd "$W" && find . -name '.*' ! -name . -prune | sed 's/^/leftover /')
}

# judge RC OLD NEW GOT ERRFILE REASON: the run's outcome is one of the two
# allowed; prints what is wrong, if anything.
judge() {
    # The one crash that is known and named: snappy (C++) throws
    # std::bad_alloc, which C cannot catch (man/parquet-sink.1, BUGS).
    # It dies on the spot: outputs as they were, but a temporary may be
    # left, for the next run to remove.
    if [ "$1" = 134 ] && [ -n "$abort_ok" ] && grep -q "$abort_ok" "$5"; then
        printf '%s\n' "$4" | grep -v '^leftover ' | while read -r u _; do
            # The whole line, as state() spells it (read would squeeze
            # its spaces, and it would never match).
            g=$(printf '%s\n' "$4" | grep "^$u ")
            o=$(printf '%s\n' "$2" | grep "^$u ")
            n=$(printf '%s\n' "$3" | grep "^$u ")
            [ "$g" = "$o" ] || [ "$g" = "$n" ] ||
                echo "exit 134 ($abort_ok) and $u is neither as before nor complete"
        done
        return
    fi
    if [ "$1" != 0 ] && [ "$1" != 1 ]; then
        echo "exit $1 (a crash?): $(tail -2 "$5" | tr '\n' ' ')"
        return
    fi
    if [ "$1" = 0 ]; then
        [ "$4" = "$3" ] || echo "exit 0 but the output differs from the fault-free run's: $(
            printf '%s\n' "$4" | grep -vxF "$3" | tr '\n' ' ')"
        return
    fi
    grep -Eq "$6" "$5" || echo "exit 1 without the reason ($6): $(tail -2 "$5" | tr '\n' ' ')"
    printf '%s\n' "$2" "$3" "$4" | awk '{ print $1 }' | sort -u |
    while read -r u; do
        g=$(printf '%s\n' "$4" | grep "^$u ")
        o=$(printf '%s\n' "$2" | grep "^$u ")
        n=$(printf '%s\n' "$3" | grep "^$u ")
        case $u in *stats.json) [ "${g% JSON}" != "$g" ] && continue ;; esac
        [ "$g" = "$o" ] || [ "$g" = "$n" ] ||
            echo "exit 1 and $u is neither as before nor complete (${g:-gone})"
    done
}

# faults NAME TODO CMD...: CMD (its outputs under $W, its stdout in
# $T/stdout) under each class of fault.  Before every run $W is as a
# fault-free run of CMD over old.csv left it.  TODO, when not empty, is
# why a failure here is known and left to be fixed.
faults() {
    name=$1; todo=$2; shift 2
    # The state before: CMD over the old input.
    rm -rf "$W" "$T/ref/$name"; mkdir "$W"
    old_cmd=$(printf '%s\n' "$*" | sed "s|$T/in.csv|$T/old.csv|g")
    [ "$old_cmd" = "$*" ] && old_cmd="$old_cmd --seed 7"   # schema-gen
    # shellcheck disable=SC2086
    $old_cmd >/dev/null 2>"$T/err" || { ok 1 "$name: the old state: $(cat "$T/err")"; return; }
    cp -a "$W" "$T/ref/$name"
    old=$(state)
    # The fault-free run, counting the calls of each class.
    rm -f "$T/count"
    SLUICE_FAULT_COUNT=$T/count LD_PRELOAD=$FAULTS "$@" >"$T/stdout" 2>"$T/err"
    is "$?" 0 "$name: runs under the shim"
    new=$(state)
    temps=""
    for class in write fsync rename open malloc; do
        e=$(errno_of "$class")
        total=$(tr ' ' '\n' <"$T/count" | sed -n "s/^$class=//p")
        # Every one of the first 6 calls, then 8 more spread evenly.
        step=$(( total > 14 ? (total - 6) / 8 : 1 ))
        n=1 runs=0 failed=0 bad=""
        while :; do
            rm -rf "$W"; cp -a "$T/ref/$name" "$W"; rm -f "$T/log"
            SLUICE_FAULT=$class:$n:$e SLUICE_FAULT_LOG=$T/log LD_PRELOAD=$FAULTS \
                "$@" >"$T/stdout" 2>"$T/err"
            rc=$?
            runs=$((runs + 1))
            if [ ! -s "$T/log" ]; then
                # Past the last call: the run is the fault-free one.
                [ "$rc" = 0 ] && [ "$(state)" = "$new" ] ||
                    bad="$bad N=$n (not fired): exit $rc or other output;"
                break
            fi
            [ "$rc" = 1 ] && failed=$((failed + 1))
            # An atomic file's temporary goes, whenever the program exits
            # (lib/out.c; a TODO below may excuse the rest, never this; a
            # crash is failed above).
            tmps=$(find "$W" -name '.*.tmp-*' | sed "s|^$W/||")
            [ -n "$tmps" ] && [ "$rc" -le 1 ] && temps="$temps $class:$n: $tmps;"
            why=$(judge "$rc" "$old" "$new" "$(state)" "$T/err" "$(reason_of "$e")")
            [ -n "$why" ] && bad="$bad N=$n: $why;"
            if [ "$n" -ge 6 ]; then n=$((n + step)); else n=$((n + 1)); fi
            [ "$runs" -gt 40 ] && { bad="$bad still firing after 40 runs;"; break; }
        done
        label="$name, $class failing ($e): $runs runs, $failed of them exit 1"
        if [ -z "$bad" ]; then
            ok 0 "$label"
        elif [ -n "$todo" ] && printf '%s\n' "$todo" | grep -q "^$class:"; then
            echo "not ok $((tap_n += 1)) - $label # TODO $(printf '%s\n' "$todo" | sed -n "s/^$class: //p")"
            echo "#   $bad" | cut -c1-600 >&2
        else
            ok 1 "$label"
            echo "#   $bad" | cut -c1-2000 >&2
        fi
    done
    is "$temps" "" "$name: no temporary file left behind, whatever failed"
}

abort_ok=""
faults "cleanse -o" "" \
    "$(prog cleanse)" -q --schema retail -o "$W/o.csv" --reject "$W/rej.jsonl" \
    --stats "$W/stats.json" "$T/in.csv"
faults "batch-agg -o --kpis" "" \
    "$(prog batch-agg)" -q -o "$W/agg.csv" --kpis "$W/kpis.csv" "$T/in.csv"
abort_ok="std::bad_alloc"
faults "parquet-sink -o" "" \
    "$(prog parquet-sink)" -q -o "$W/o.parquet" --stats "$W/stats.json" "$T/in.csv"
faults "parquet-sink -d" "" \
    "$(prog parquet-sink)" -q -d "$W/lake" -p order_date "$T/in.csv"
abort_ok=""
# SQLite retries a failed open read-only; under the shim that retry
# alone goes on (a real EMFILE fails it too), fails otherwise (ENOENT),
# and that is the reason SQLite keeps.
sqlite_todo="open: SQLite reports its read-only retry's reason (No such file or directory), not the shim's one failed open (EMFILE)"
faults "sqlite-sink" "$sqlite_todo" \
    "$(prog sqlite-sink)" -q -D "$W/w.db" -T orders "$T/in.csv"
faults "sqlite-sink --mode replace" "$sqlite_todo" \
    "$(prog sqlite-sink)" -q -D "$W/w.db" -T orders --mode replace "$T/in.csv"
faults "schema-gen --truth" "" \
    "$SG" -q ecommerce --per-day 40 --days 1 --truth "$W/truth.jsonl"
faults "schema-gen -d" "" \
    "$SG" -q retail --per-day 30 --days 2 -d "$W/gen"

# --- stream-window with a checkpoint folder --------------------------------------
# Its output is live (appended as windows close) and cut back to the
# checkpoint on a restart, so the promise differs: a failed run exits 1
# saying why, leaves any checkpoint whole, and the next run (no fault)
# ends with exactly the output of a run that never failed.  Each run
# waits ~3 s for its consumer group: the runs go in parallel.
mock_up --create-topic ev:2
"$SG" -q ecommerce --per-day 100 --anomalies 0 -f jsonl >"$T/ev.jsonl"
"$(prog kafka-replay)" -q -b "$B" -t ev --key category "$T/ev.jsonl"
SW=$(prog stream-window)

# sw DIR GROUP [VAR=VALUE...]: stream-window into DIR (out.jsonl, ck/);
# DIR.rc its exit status, DIR.err its stderr.
sw() {
    _d=$1 _g=$2; shift 2
    mkdir -p "$_d"
    env "$@" "$SW" --time event_time --size 1h --watermark 30d -g category \
        -m count -b "$B" -t ev --stop-at-end -G "$_g" --checkpoint "$_d/ck" \
        -o "$_d/out.jsonl" >/dev/null 2>"$_d.err"
    echo $? >"$_d.rc"
}

sw "$T/swref" gref LD_PRELOAD="$FAULTS" SLUICE_FAULT_COUNT="$T/swcount"
is "$(cat "$T/swref.rc")" 0 "stream-window --checkpoint: runs under the shim"
sort "$T/swref/out.jsonl" >"$T/sw-want"
ok "$([ -s "$T/sw-want" ]; echo $?)" "and writes windows"
cases=""
for class in write fsync rename open malloc; do
    total=$(tr ' ' '\n' <"$T/swcount" | sed -n "s/^$class=//p")
    # The first three calls, then three more spread evenly, then past
    # the last.
    step=$(( total > 6 ? total / 3 : 1 ))
    n=1
    while [ "$n" -le "$((total + 1))" ]; do
        cases="$cases $class:$n"
        if [ "$n" -ge 3 ]; then n=$((n + step)); else n=$((n + 1)); fi
    done
done
# wave CMD: CMD CASE for every case, 16 at a time.  (Not a bare wait:
# that would wait for kafka-mock too.)
wave() {
    _pids=""
    for c in $cases; do
        "$1" "$c" &
        _pids="$_pids $!"
        if [ "$(echo $_pids | wc -w)" -ge 16 ]; then
            wait $_pids; _pids=""
        fi
    done
    [ -z "$_pids" ] || wait $_pids
}
faulty() {
    _dir=$T/sw-$(echo "$1" | tr : -)
    sw "$_dir" "g-$_dir" LD_PRELOAD="$FAULTS" SLUICE_FAULT="$1:$(errno_of "${1%%:*}")" \
        SLUICE_FAULT_LOG="$_dir.log"
}
rerun() {
    _dir=$T/sw-$(echo "$1" | tr : -)
    [ "$(cat "$_dir.rc")" = 1 ] && sw "$_dir" "g2-$_dir"
}
wave faulty
# The outcomes (the reruns need them as they are).
for c in $cases; do
    d=$T/sw-$(echo "$c" | tr : -)
    rc=$(cat "$d.rc")
    e=$(errno_of "${c%%:*}")
    why=""
    if [ "$rc" = 0 ]; then
        sort "$d/out.jsonl" | cmp -s - "$T/sw-want" || why="exit 0 with other output"
    elif [ "$rc" = 1 ]; then
        grep -Eq "$(reason_of "$e")" "$d.err" || why="exit 1 without the reason: $(tail -1 "$d.err")"
        for f in "$d"/ck/*.ckpt; do
            [ -f "$f" ] || continue
            jq -e . "$f" >/dev/null 2>&1 || why="$why; a damaged checkpoint"
        done
    else
        why="exit $rc (a crash?): $(tail -2 "$d.err" | tr '\n' ' ')"
    fi
    [ -s "$d.log" ] || [ "$rc" = 0 ] || why="$why; not fired but exit $rc"
    echo "$why" >"$d.why"
done
wave rerun
for class in write fsync rename open malloc; do
    runs=0 fired=0 bad=""
    for c in $cases; do
        [ "${c%%:*}" = "$class" ] || continue
        d=$T/sw-$(echo "$c" | tr : -)
        runs=$((runs + 1))
        [ -s "$d.log" ] && fired=$((fired + 1))
        why=$(cat "$d.why")
        # A run that failed was run again: that one ends the job, exactly.
        if [ -z "$why" ] && { [ "$(cat "$d.rc")" != 0 ] ||
            ! sort "$d/out.jsonl" | cmp -s - "$T/sw-want"; }; then
            why="the run after it: exit $(cat "$d.rc"), other output: $(tail -1 "$d.err")"
        fi
        [ -n "$why" ] && bad="$bad N=${c#*:}: $why;"
    done
    label="stream-window --checkpoint, $class failing ($(errno_of "$class")): $runs runs, $fired fired"
    if [ -z "$bad" ]; then ok 0 "$label"; else ok 1 "$label"; echo "#   $bad" | cut -c1-2000 >&2; fi
done

done_testing

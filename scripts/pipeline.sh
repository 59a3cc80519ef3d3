# shellcheck shell=sh disable=SC2086
# scripts/pipeline.sh - how the streaming jobs start and stop: sourced by
# scripts/stream-pipeline and scripts/realtime-pipeline, which say what
# runs; this file says how.
#
# A job holds a lock on its data folder, DATA/.NAME.lock (fd 9, held by
# every process it starts), and keeps its FIFOs and counts in
# DATA/.NAME.run.  A watcher started with it, in a session of its own,
# reads the FIFO RUN/alive, which the script alone holds open for
# writing (fd 8): end of file there means the script is gone, however it
# ended (SIGKILL too), and the watcher stops what is left, in order.
# Each process is started in a session of its own (setsid) and noted
# with started: a signal to the script's process group reaches the
# script alone, which stops them in order.
#
# The script sets me (its name) and top, sources this file and calls
#   pipeline_args "$@"        --help, --watch, or a usage error
#   pipeline_begin            settings, the lock, the run folder, the watcher
#   pipeline_mock TOPIC:N...  kafka-mock, unless KAFKA_BROKERS
#   pipeline_reading N        after starting N stream-windows: wait until
#                             they read
#   pipeline_run              until RUN_SECONDS, a signal, or a failure
# and defines chain(), which prints the chain of counts from $run/*.json
# once every process has ended (counts.sh helps).  It notes each process
# with started as one of: mock (kafka-mock), gen (the generators), cl and
# rp (cleanse, kafka-replay), sw (stream-window: also in $sw, for its
# exit status), rest (the sinks and what feeds them).

# --- Stopping, in order -----------------------------------------------------------
# ours PID: PID is still a process of this pipeline, which every one
# holds the lock as fd 9 (with pids wrapping round, a pid noted a
# minute ago may be another process's by now, one never to signal).
ours() {
    if [ -d /proc/self/fd ]; then
        [ "$(readlink "/proc/$1/fd/9" 2>/dev/null)" = "$lock" ]
    else
        kill -0 "$1" 2>/dev/null
    fi
}
# alive PID...: some of them still run.
alive() {
    for p; do ours "$p" && return 0; done
    return 1
}
# ends SECONDS PID...: wait until none of them runs, SECONDS at most;
# 1 when some still do.
ends() {
    n=$(($1 * 10))
    shift
    while alive "$@"; do
        [ $n -gt 0 ] || return 1
        n=$((n - 1))
        sleep 0.1
    done
}
# signal SIG PID...: send SIG to those that run.
signal() {
    s=$1
    shift
    for p; do ours "$p" && kill -"$s" "$p" 2>/dev/null; done
    :
}
# halt: stop the processes $run/pids names, in order.  Each step waits
# so long at most, then sends SIGTERM, then SIGKILL: a stop ends even
# when a process is stuck (opening a FIFO whose other end never came).
halt() {
    set +e	# a process already gone is no reason to stop stopping
    h_mock="" h_gen="" h_cl="" h_rp="" h_sw="" h_rest=""
    # shellcheck disable=SC1091
    [ -s "$run/pids" ] && . "$run/pids"
    # The sources first: cleanse and kafka-replay then send what they
    # hold and end.
    signal TERM $h_gen
    if ! ends 15 $h_gen $h_cl $h_rp; then
        signal TERM $h_cl $h_rp
        ends 5 $h_gen $h_cl $h_rp || signal KILL $h_gen $h_cl $h_rp
    fi
    # stream-window reads what was delivered (--drain, 5 s), saves its
    # checkpoint and ends; its outputs close, and the sinks commit what
    # they have and end.  (SIGKILL as a last resort loses nothing: a
    # restart goes on from the last checkpoint.)
    signal TERM $h_sw
    ends 30 $h_sw || signal KILL $h_sw
    if ! ends 2 $h_rest; then
        # A reader still waiting for a writer that never came
        # (stream-window ended before opening --health, say) is let
        # go: a writer opens and closes its FIFO.
        for f in "$run"/*; do
            [ -p "$f" ] && [ "$f" != "$run/alive" ] || continue
            timeout 0.2 sh -c ': >"$1"' sh "$f" 2>/dev/null
        done
        if ! ends 10 $h_rest; then
            signal TERM $h_rest
            ends 5 $h_rest || signal KILL $h_rest
        fi
    fi
    signal TERM $h_mock
    ends 5 $h_mock || signal KILL $h_mock
    ends 1 $h_gen $h_cl $h_rp $h_sw $h_rest $h_mock
    :
}
# started NAME: note the last process started ($!) for halt.
started() { echo "h_$1=\"\${h_$1:-} $!\"" >>"$run/pids"; }

# pipeline_args "$@": --help prints the script's opening comment;
# --watch RUN LOG PID is the watcher (it never returns); no other
# arguments are taken.
pipeline_args() {
    case ${1:-} in
    --help | -h)
        sed -n '2,/^set -eu$/s/^# \{0,1\}//p' "$0"
        exit 0 ;;
    --watch)
        pipeline_watch "$2" "$3" "$4" ;;
    "") ;;
    *)
        echo "$me: takes no arguments (settings are environment variables; see --help)" >&2
        exit 2 ;;
    esac
}

# The watcher (--watch RUN LOG PID): the pipeline, PID, started it with
# its stdin the FIFO RUN/alive, which the pipeline alone holds open for
# writing; end of file there means the script is gone, however it
# ended.  It stops what is left, in order, removes RUN and ends; it
# holds the lock (fd 9) until then.
pipeline_watch() {
    run=$1 log=$2 script=$3
    lock=${run%/*}/.$me.lock
    cat >/dev/null
    if [ -s "$run/pids" ] && [ ! -e "$run/stopped" ]; then
        printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$me" \
            "the pipeline ended without stopping its processes (killed?): stopping them" >>"$log"
        halt
    fi
    # Whatever else still holds the lock was started in the instant
    # before its pid was noted: it goes too.  (The script holds it while
    # it waits for this watcher at the end of a stop.)
    holders() {
        exec 9>&-	# not this subshell's own
        for f in /proc/[0-9]*/fd/9; do
            [ "$(readlink "$f" 2>/dev/null)" = "$lock" ] || continue
            f=${f#/proc/}
            f=${f%%/*}
            [ "$f" = $$ ] || [ "$f" = "$script" ] || echo "$f"
        done
    }
    left=$(holders)
    if [ -n "$left" ]; then
        signal TERM $left
        ends 5 $left || signal KILL $left
    fi
    rm -rf "$run"
    exit 0
}

say() {
    printf '%s: %s\n' "$me" "$*" >&2
    printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$me" "$*" >>"$log"
}

# pipeline_begin: the settings every job takes (bin, data, log, db, and
# the warehouse: SQLite's db, or WAREHOUSE, through scripts/warehouse.sh),
# then the lock, the run folder and the watcher, and the traps that stop
# it all in order.
pipeline_begin() {
    bin=${SLUICE_BIN:-$top/bin}
    data=${DATA:-$top/data}
    mkdir -p "$data/input" "$data/output" "$data/checkpoints" "$data/logs"
    data=$(cd "$data" && pwd -P)	# as /proc names the lock (ours)
    log=$data/logs/$me.log
    db=$data/warehouse.db
    # shellcheck source=scripts/warehouse.sh
    . "$top/scripts/warehouse.sh"
    wh_init "$db"

    # One pipeline a data folder: the checkpoint and the FIFOs are its
    # own.  Every process of the pipeline holds the lock (fd 9) while it
    # lives.
    lock=$data/.$me.lock
    exec 9>"$lock"
    flock -n 9 || { say "another $me runs on $data (or the last one's processes are still stopping)"; exit 75; }

    # Its own folder: one a data folder (the lock), so what a run could
    # not remove is the next one's to.
    run=$data/.$me.run
    rm -rf "$run"
    mkdir "$run"
    mkfifo "$run/alive"
    # Held open by this script alone (every process it starts closes fd
    # 8): when the script ends, the watcher reads the end of file.
    exec 8<>"$run/alive"
    setsid "$0" --watch "$run" "$log" $$ <"$run/alive" >/dev/null 2>>"$log" 8>&- &
    watcher=$!
    mock="" gen="" sw=""
    stopping=0 sw_rc=0 closed=1
    trap 'pipeline_stop; say "stopped"; [ $closed = 1 ] && [ "$sw_rc" = 0 ] || exit 1; exit 0' INT TERM HUP
    trap 'pipeline_stop' EXIT
}

# pipeline_stop: stop every process in order, print the chain of counts
# (chain), remove the run folder, and wait for the watcher, so the lock
# is free once this script has ended.
pipeline_stop() {
    [ $stopping = 1 ] && return
    stopping=1
    halt
    for p in $sw; do
        wait "$p"
        r=$?
        [ "$r" = 0 ] || sw_rc=$r
    done
    : >"$run/stopped"
    chain
    rm -rf "$run"
    # The watcher has nothing left to do; once it has ended the lock is
    # free, so a rerun may start the moment this one has.
    exec 8>&-
    wait "$watcher"
    :
}

# --- Kafka ----------------------------------------------------------------------
# pipeline_mock TOPIC:PARTITIONS...: brokers=KAFKA_BROKERS, else a
# kafka-mock of our own with these topics (mock= its pid).  A new
# kafka-mock's topics are empty: the last run's checkpoint lies past
# their end, and the partitions are read from their start, the saved
# windows kept (fresh=--keep-past-end): the new topic goes on with the
# same stream, the sources waiting until stream-window reads
# (pipeline_reading).  Against a real cluster such a checkpoint is an
# error worth stopping for.
pipeline_mock() {
    fresh=
    if [ -n "${KAFKA_BROKERS:-}" ]; then
        brokers=$KAFKA_BROKERS
        say "Kafka: $brokers"
        return
    fi
    fresh=--keep-past-end
    _topics=
    for _t; do _topics="$_topics --create-topic $_t"; done
    setsid "$bin/kafka-mock" -q $_topics --port-file "$run/brokers" \
        --stats "$run/mock.json" </dev/null >/dev/null 2>>"$log" 8>&- &
    mock=$!
    started mock
    for i in $(seq 100); do [ -s "$run/brokers" ] && break; sleep 0.1; done
    [ -s "$run/brokers" ] || { say "kafka-mock did not start"; exit 1; }
    brokers=$(cat "$run/brokers")
    say "Kafka: kafka-mock at $brokers (KAFKA_BROKERS unset)"
}

# --- The warehouse -----------------------------------------------------------------
# pipeline_warehouse: ready the warehouse for several sinks at once:
# SQLite in WAL mode before they open it (both switching a new database
# to WAL would deadlock, and SQLite then fails one at once, "database
# is locked", rather than waiting); with DDL (made for PostgreSQL,
# sink/warehouse-pg.sql), that applied too.  Exits 1 when the warehouse
# refuses.
pipeline_warehouse() {
    if [ "$wh" = pg ]; then
        [ "${1:-}" = ddl ] || return 0
        wh_setup "$run" 2>>"$log" || { say "the warehouse $wh_name could not be set up (see $log)"; exit 1; }
    else
        sqlite3 -cmd ".timeout 5000" "$db" 'PRAGMA journal_mode = WAL' >/dev/null
    fi
}

# pipeline_logged: note the log's length, before the stream-windows
# start (pipeline_reading reads what follows).
pipeline_logged() { logged=$(wc -c <"$log"); }

# pipeline_reading N [always]: a new kafka-mock's topics start empty, while the
# checkpoint's offsets are those of the last run's topics: the sources
# wait until the N stream-windows have their partitions, so their first
# read finds each saved offset past the end and starts the partition
# again from its start, keeping the saved windows (--keep-past-end).  Were events sent first, a saved offset inside the new topic
# would skip them.
# With a second argument, "always", it waits with KAFKA_BROKERS too, so
# that a run's events are read within it: joining the group can take
# seconds.
pipeline_reading() {
    [ -n "$mock" ] || [ "${2:-}" = always ] || return 0
    for i in $(seq 300); do
        [ "$(tail -c +"$((logged + 1))" "$log" | grep -c '^stream-window: reading ')" -ge "$1" ] && break
        for p in $sw; do kill -0 "$p" 2>/dev/null || return 0; done
        sleep 0.1
    done
}

# pipeline_run: until RUN_SECONDS are up, or a stream-window or a
# generator ($gen) fails; then stop (a signal stops it by the trap).
pipeline_run() {
    end=""
    [ -n "${RUN_SECONDS:-}" ] && end=$(( $(date +%s) + RUN_SECONDS ))
    while :; do
        for p in $sw; do
            kill -0 "$p" 2>/dev/null && continue
            sw_rc=0
            wait "$p" || sw_rc=$?
            sw=$(echo $sw | tr ' ' '\n' | grep -vx "$p" | tr '\n' ' ')
            say "stream-window ended (exit $sw_rc)"
            pipeline_stop
            exit 1
        done
        for p in $gen; do
            kill -0 "$p" 2>/dev/null && continue
            if wait "$p"; then :; else
                say "schema-gen failed (see $log)"
                gen=""
                pipeline_stop
                exit 1
            fi
            gen=$(echo $gen | tr ' ' '\n' | grep -vx "$p" | tr '\n' ' ')
        done
        [ -n "$end" ] && [ "$(date +%s)" -ge "$end" ] && break
        sleep 0.2
    done
    pipeline_stop
    if [ "$sw_rc" != 0 ]; then
        say "stream-window failed (exit $sw_rc; see $log)"
        exit 1
    fi
    say "stopped after ${RUN_SECONDS}s"
    [ $closed = 1 ] || exit 1
}

# tests/lib.sh - TAP for shell tests.  Source it, then:
#
#   run [--stdin FILE] PROGRAM ARGS...   # sets $rc; output in $T/out, $T/err
#   is "$got" "$want" "label"            # strings equal
#   is_file GOT WANT "label"             # files byte-identical (diff shown)
#   like "$got" PATTERN "label"          # grep -E pattern matches
#   wait_for FILE PATTERN [SECONDS]      # until a line of FILE matches
#   mock_up ARGS...                      # a kafka-mock: $mock, $B, commands on fd 3;
#                                        # done_testing checks that it and $pids end
#   stop_jobs SECONDS PID...             # SIGTERM, and 0 when all end within SECONDS
#   ok STATUS "label"                    # passes when STATUS is 0: ok $? "label";
#                                        # with arithmetic, ok "$(( x <= 1 ))" passes
#                                        # when x > 1 (the expression is 0)
#   done_testing
#
# Programs come from $SLUICE_BIN (installed names) or $SLUICE_TOOLS (test
# tools), run under $SLUICE_WRAP when set (make valgrind).  What a failed
# check got and wanted goes to stderr, which prove shows (and CI's log keeps).
set -u
: "${SLUICE_BIN:?run the tests through make test}"
: "${SLUICE_TOOLS:?run the tests through make test}"
: "${SLUICE_TOP:?run the tests through make test}"
SLUICE_WRAP=${SLUICE_WRAP:-}
DATA=$SLUICE_TOP/tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/sluice-t.XXXXXX")
trap 'rm -rf "$T"' EXIT
# Under valgrind each process logs to its own file: a finding in a program a
# test runs directly, not through run, still fails the test (done_testing),
# and a program's stderr stays its own for the checks that read it.
if [ -n "$SLUICE_WRAP" ]; then
    mkdir "$T/valgrind"
    SLUICE_WRAP="$SLUICE_WRAP --log-file=$T/valgrind/%p.log"
fi
tap_n=0
tap_failed=0

# A test that hangs fails, and says on what: past SLUICE_TEST_LIMIT
# seconds (600; 1800 under valgrind) the watchdog lists the test's
# processes and stops them, the test with them.  It ends with the test,
# and holds none of its output open (prove waits for their end): its
# word goes to the test's stderr, reopened.
# (So a test waits for its own background jobs by PID, never a bare
# `wait`, which would wait for the watchdog too.)
_limit=${SLUICE_TEST_LIMIT:-$([ -n "$SLUICE_WRAP" ] && echo 1800 || echo 600)}
(
    _self=$(sh -c 'echo $PPID')
    _i=0
    while [ $_i -lt "$_limit" ]; do
        sleep 1
        kill -0 $$ 2>/dev/null || exit 0
        _i=$((_i + 1))
    done
    _tree=$(ps -eo pid=,ppid=,etime=,args= | awk -v top=$$ -v self="$_self" '
        { pid[NR] = $1; ppid[NR] = $2; line[NR] = $0 }
        END {
            in_tree[top] = 1
            do { more = 0
                 for (i = 1; i <= NR; i++)
                     if (!(pid[i] in in_tree) && (ppid[i] in in_tree) &&
                         pid[i] != self && ppid[i] != self) {
                         in_tree[pid[i]] = 1; more = 1; print line[i] }
            } while (more) }')
    {
        echo "# $0 ran past ${_limit}s (SLUICE_TEST_LIMIT): stopped; it was running:"
        echo "$_tree" | sed 's/^/#   /'
    } >>"/proc/$$/fd/2"
    # The test first: stopped, it cannot go on to pass.
    kill -KILL $$ 2>/dev/null
    _pids=$(echo "$_tree" | awk '{ print $1 }')
    [ -n "$_pids" ] && kill $_pids 2>/dev/null
    sleep 2
    [ -n "$_pids" ] && kill -KILL $_pids 2>/dev/null
) </dev/null >/dev/null 2>&1 &

_tap() {  # _tap PASSED LABEL
    tap_n=$((tap_n + 1))
    if [ "$1" = 1 ]; then
        echo "ok $tap_n - $2"
    else
        echo "not ok $tap_n - $2"
        tap_failed=$((tap_failed + 1))
    fi
}

# ok STATUS LABEL: passes when STATUS is 0 (a command's exit status).
ok() {
    if [ "$1" = 0 ]; then _tap 1 "$2"; else _tap 0 "$2"; fi
}

is() {
    if [ "$1" = "$2" ]; then
        _tap 1 "$3"
    else
        _tap 0 "$3"
        printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | sed '3,$s/^/#         /' >&2
    fi
}

like() {
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then
        _tap 1 "$3"
    else
        _tap 0 "$3"
        printf '#   got:  %s\n#   want: /%s/\n' "$1" "$2" >&2
    fi
}

is_file() {
    if cmp -s "$1" "$2"; then
        _tap 1 "$3"
    else
        _tap 0 "$3"
        diff "$1" "$2" | head -20 | sed 's/^/#   /' >&2
    fi
}

# The path of a program: an installed name or a test tool.
prog() {
    if [ -x "$SLUICE_BIN/$1" ]; then echo "$SLUICE_BIN/$1"
    else echo "$SLUICE_TOOLS/$1"; fi
}

run() {
    _in=/dev/null
    if [ "$1" = --stdin ]; then _in=$2; shift 2; fi
    _p=$(prog "$1"); shift
    rc=0
    $SLUICE_WRAP "$_p" "$@" <"$_in" >"$T/out" 2>"$T/err" || rc=$?
}

# wait_for FILE PATTERN [SECONDS]: until a line of FILE matches the
# extended regular expression (30 s at most); 1 if none did.
wait_for() {
    for _i in $(seq $(( ${3:-30} * 10 ))); do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# mock_up ARGS...: a kafka-mock (under $SLUICE_WRAP) with ARGS, taking
# commands written to fd 3, its stderr in $T/mock.err; $mock its pid, $B
# its brokers.  done_testing stops $pids, then the mock, and checks that
# they end; the EXIT trap (a test that stops early) closes fd 3, kills
# what is left and removes $T.
mock_up() {
    mkfifo "$T/ctl"
    $SLUICE_WRAP "$(prog kafka-mock)" "$@" --port-file "$T/port" <"$T/ctl" \
        >/dev/null 2>"$T/mock.err" &
    mock=$!
    exec 3>"$T/ctl"
    for _i in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
    B=$(cat "$T/port")
    # On exit: the mock and any $pids the test started are stopped
    # (done_testing has stopped them already, checking that they end).
    trap 'exec 3>&-; kill -KILL $mock ${pids:-} 2>/dev/null; wait $mock ${pids:-} 2>/dev/null; rm -rf "$T"' EXIT
}

# ended PID: 0 when the test's job PID has ended (gone, or a zombie not
# yet waited for; a PID now another's is the job's, ended), 1 while it runs.
ended() {
    case $(ps -o ppid=,stat= -p "$1" 2>/dev/null | awk -v me=$$ '$1 == me { print $2 }') in
    '' | Z*) return 0 ;;
    *) return 1 ;;
    esac
}

# stop_jobs SECONDS PID...: each sent SIGTERM and waited for, SECONDS at
# most in all; 1 when one has not ended by then: what each of its
# threads was waiting in goes to stderr (a backtrace when gdb is there),
# and it is killed, so a hang costs seconds and says where, not the run.
stop_jobs() {
    _secs=$1; shift
    for _p in "$@"; do ended "$_p" || kill "$_p" 2>/dev/null; done
    _i=0
    for _p in "$@"; do
        while ! ended "$_p" && [ $_i -lt $((_secs * 10)) ]; do
            sleep 0.1; _i=$((_i + 1))
        done
    done
    _rc=0
    for _p in "$@"; do
        ended "$_p" && continue
        _rc=1
        echo "# process $_p did not end within ${_secs}s of SIGTERM: $(ps -o args= -p "$_p")" >&2
        for _t in /proc/"$_p"/task/*; do
            echo "#   thread $(basename "$_t") $(cat "$_t/comm" 2>/dev/null): $(cut -d' ' -f3 "$_t/stat" 2>/dev/null) in $(cat "$_t/wchan" 2>/dev/null)" >&2
        done
        if command -v gdb >/dev/null; then
            # Under valgrind the program's own stacks are valgrind's
            # gdbserver's to give (vgdb).
            case ${SLUICE_WRAP:-} in
            valgrind*) _at="target remote | vgdb --pid=$_p" ;;
            *) _at="attach $_p" ;;
            esac
            timeout 60 gdb -q -batch -iex "set debuginfod enabled off" -ex "$_at" -ex "thread apply all bt" </dev/null 2>&1 |
                grep -E '^(Thread|#)' | head -120 | sed 's/^/#   /' >&2
        fi
        kill -KILL "$_p" 2>/dev/null
    done
    wait "$@" 2>/dev/null
    return $_rc
}

# ecommerce_events N FILE: N e-commerce events a day over the schema's
# three days (3N), with no anomalies, in event-time order, as JSON Lines
# (the Kafka tests' input).
ecommerce_events() {
    $SLUICE_WRAP "$(prog schema-gen)" -q ecommerce --per-day "$1" --anomalies 0 -f jsonl |
        mlr --ijsonl --ojsonl sort -f event_time >"$2"
}

out() { cat "$T/out"; }
err() { cat "$T/err"; }

done_testing() {
    # The broker a test started ends on SIGTERM, as its manual says, and
    # the jobs the test left running with it: within 60 s (valgrind's
    # leak check, its threads joined within their bounds).
    # The jobs first: a client may still have a word for the broker.
    if [ -n "${mock:-}" ] && ! ended "$mock"; then
        _j=0
        [ -n "${pids:-}" ] && { stop_jobs 60 $pids || _j=1; }
        stop_jobs 60 $mock || _j=1
        ok $_j "the test's jobs, then kafka-mock, end on SIGTERM"
    fi
    if [ -n "$SLUICE_WRAP" ]; then
        for _f in "$T"/valgrind/*.log; do
            [ -s "$_f" ] || continue
            _tap 0 "valgrind: findings in process $(basename "$_f" .log)"
            sed 's/^/#   /' "$_f" >&2
        done
    fi
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
}

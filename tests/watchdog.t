#!/bin/sh
# tests/lib.sh's watchdog: a test that hangs is stopped past
# SLUICE_TEST_LIMIT seconds, fails, and says what it was running (its
# processes gone with it); a test that ends is not held up by it.
. "$SLUICE_TOP/tests/lib.sh"

cat >"$T/hangs.t" <<'T'
#!/bin/sh
. "$SLUICE_TOP/tests/lib.sh"
ok 0 "before the hang"
sh -c 'exec sleep 4242'
ok 0 "after the hang"
done_testing
T
cat >"$T/ends.t" <<'T'
#!/bin/sh
. "$SLUICE_TOP/tests/lib.sh"
ok 0 "quick"
done_testing
T
chmod +x "$T/hangs.t" "$T/ends.t"

t0=$(date +%s)
SLUICE_TEST_LIMIT=2 prove "$T/hangs.t" >"$T/out" 2>"$T/err"
rc=$?
t1=$(date +%s)
is "$rc" 1 "a test that hangs past SLUICE_TEST_LIMIT fails"
ok "$(( t1 - t0 > 10 ))" "  stopped within seconds of its limit ($((t1 - t0)) s)"
like "$(cat "$T/err")" "hangs.t ran past 2s \(SLUICE_TEST_LIMIT\): stopped" "  and says so"
like "$(cat "$T/err")" "sleep 4242" "  listing what it was running"
ok "$(grep -c 'after the hang' "$T/out" | awk '{ print ($1 != 0) }')" "  it does not go on to pass"
ok "$(pgrep -f 'sleep 4242' >/dev/null; [ $? -ne 0 ]; echo $?)" "  its processes stopped with it"

t0=$(date +%s%3N)
prove "$T/ends.t" >"$T/out" 2>&1
rc=$?
t1=$(date +%s%3N)
is "$rc" 0 "a test that ends passes"
ok "$(( t1 - t0 > 900 ))" "  at once: the watchdog holds none of its output open ($((t1 - t0)) ms)"
done_testing

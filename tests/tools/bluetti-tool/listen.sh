#!/bin/sh
# bluetti-tool listen: rounds, NDJSON, --count, and Ctrl-C (exit status 130).
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

run $SIM listen --blocks 100 --interval 0.1 --count 3
expect_rc 0
n=$(grep -Ec '^--- round [0-9]+ at ' "$out")
[ "$n" -eq 3 ] || fail "expected 3 rounds, got $n"
expect_out '^--- round 3 at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z ---$'
n=$(grep -c '^block 100 ' "$out")
[ "$n" -eq 3 ] || fail "expected block 100 three times, got $n"

run $SIM --json listen --group core --interval 0.05 --count 2
expect_rc 0
expect_json_lines 2
expect_out '^\{"round": 1, "time": "[^"]+Z", "device": \{'
expect_out '^\{"round": 2, '
expect_out '"ok": true\}$'

# failures in every round: still every round, then exit 1
run $SIM --sim-faults exception=1300:2 --json listen --blocks 100,1300 --interval 0.05 --count 2
expect_rc 1
expect_json_lines 2
expect_out '"ok": false\}$'
expect_err 'block 1300 \(INV_GRID_INFO\) failed'
expect_err 'block reads failed while listening'

# interrupted: SIGINT stops it with exit status 130 and no error message
# stopped SIG: send SIG to $pid and wait for it, 60 s at most (a tool that
# ignores the signal fails the test instead of hanging it); sets rc.
stopped() {
    kill "-$1" "$pid"
    _n=0
    while kill -0 "$pid" 2>/dev/null && [ $_n -lt 600 ]; do sleep 0.1; _n=$((_n + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        echo "listen.sh: FAIL: bluetti-tool listen still runs 60 s after SIG$1" >&2
        failures=$((failures + 1))
        kill -KILL "$pid"
    fi
    rc=0
    wait "$pid" || rc=$?
}

# shellcheck disable=SC2086
$BLUETTI_TEST_WRAPPER "$TOOL" $SIM listen --blocks 100 --interval 0.2 >"$out" 2>"$err" </dev/null &
pid=$!
i=0
while ! grep -q '^block 100 ' "$out" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt 600 ]; then
        fail "listen printed nothing within 60 s"
        break
    fi
    sleep 0.1
done
stopped INT
last="listen (SIGINT)"
expect_rc 130
expect_no_err 'bluetti-tool: '

# SIGTERM: 143
# shellcheck disable=SC2086
$BLUETTI_TEST_WRAPPER "$TOOL" $SIM listen --blocks 100 --interval 0.2 >"$out" 2>"$err" </dev/null &
pid=$!
i=0
while ! grep -q '^block 100 ' "$out" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -le 600 ] || break
    sleep 0.1
done
stopped TERM
last="listen (SIGTERM)"
expect_rc 143

finish

#!/bin/sh
# bluetti-bridge's systemd notifications (Type=notify with WatchdogSec=, as
# data/bluetti-bridge.service.in runs it), without systemd: NOTIFY_SOCKET
# names a datagram socket a python3 listener records, WATCHDOG_USEC and
# WATCHDOG_PID are set as systemd sets them for the main process. An
# in-process sim device and a real mosquitto target. Checked: READY=1 once
# the config is applied; WATCHDOG=1 every half interval (never a gap the
# service manager would kill for); SIGHUP gives RELOADING=1 then READY=1
# and the bridge reloaded; SIGTERM gives STOPPING=1 as the last message and
# exit 0; a WATCHDOG_PID that is not the bridge's turns the pings off but
# not READY=1; --check-config (ExecStartPre) and --once send nothing.
# Built only with libsystemd (tests/integration/bridge/local.mk).
# BT_BRIDGE_KEEP=1 keeps the files.
set -u
S=${BLUETTI_TEST_SRCDIR:-.}
. "$S/tests/shlib.sh"
B=${BLUETTI_TEST_BUILDDIR:-.}
WRAP=${BLUETTI_TEST_WRAPPER:-}
. "$S/tests/integration/bridge/lib.sh"
br_need notify.sh python3 mosquitto_sub

bt_scratch bluetti-bridge-notify "${BT_BRIDGE_KEEP:-}"
fail() { bt_fail_logs notify.sh "$tmp" 25 "$@"; }
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID

# ---- what the units promise: the protocol this test plays -------------------------
for unit in bluetti-bridge.service.in bluetti-bridge@.service.in; do
    for want in '^Type=notify$' '^WatchdogSec=[1-9]' '^ExecReload=.*kill -HUP \$MAINPID$' \
        '^RestartPreventExitStatus=2$'; do
        grep -q "$want" "$S/data/$unit" || fail "data/$unit has no line matching $want"
    done
done

# ---- the listener: one line per datagram, "SECONDS MESSAGE" (monotonic clock) -------
sock=$tmp/notify.sock
python3 - "$sock" "$tmp/notify.txt" <<'PY' > "$tmp/listener.log" 2>&1 &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    out.write("%.3f listening\n" % time.monotonic())
    while True:
        msg = s.recv(4096).decode("utf-8", "replace")
        out.write("%.3f %s\n" % (time.monotonic(), msg.strip().replace("\n", " ")))
PY
lis=$!
pids="$pids $lis"
bt_wait_for "$tmp/notify.txt" " listening$" 10 $lis || fail "the python3 listener did not start"

# ---- a target broker and the config ---------------------------------------------------
tgt_conf() {
    { bt_broker_conf; printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$1"; } > "$tmp/target.conf"
}
bt_start_broker "$MOSQ" "$tmp/target.conf" "$tmp/target-broker.log" tgt_conf || fail "target broker"
pids="$pids $bt_broker"
TP=$bt_port
cat > "$tmp/bridge.conf" <<CONF
[bridge]
health_interval = 1

[target]
broker = 127.0.0.1
port = $TP
keepalive = 5

[source home]
transport = sim

[device garage]
model = EL100V2
interval = 0.5
CONF

bridge() { $WRAP "$B/tools/bluetti-bridge" --plugin-dir "$B/plugins/.libs" -c "$tmp/bridge.conf" "$@"; }
msgs() { grep -c " $1$" "$tmp/notify.txt"; }
# the messages after line $1 of notify.txt, one per line, without times
after() { tail -n "+$(($1 + 1))" "$tmp/notify.txt" | cut -d' ' -f2-; }

# ---- ExecStartPre's --check-config and a --once round: no notification -------------
(
    NOTIFY_SOCKET=$sock WATCHDOG_USEC=400000
    export NOTIFY_SOCKET WATCHDOG_USEC
    bridge --check-config > "$tmp/check.log" 2>&1 ||
        fail "--check-config refused the test config: $(cat "$tmp/check.log")"
    bridge --once > "$tmp/once.out" 2> "$tmp/once.log" || fail "--once failed: $(cat "$tmp/once.log")"
) || exit 1
sleep 0.2
[ "$(after 1 | grep -c .)" -eq 0 ] || fail "--check-config or --once notified: $(after 1)"

# ---- the service: READY=1, then the watchdog ----------------------------------------
# (exec: WATCHDOG_PID is the bridge's own pid, as systemd sets it)
# shellcheck disable=SC2016,SC2086 # $$ is the inner shell's; the wrapper is a command line
NOTIFY_SOCKET=$sock WATCHDOG_USEC=400000 sh -c 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$@"' \
    sh $WRAP "$B/tools/bluetti-bridge" --plugin-dir "$B/plugins/.libs" -c "$tmp/bridge.conf" -v \
    > "$tmp/bridge.log" 2>&1 &
br=$!
pids="$pids $br"
bt_wait_for "$tmp/notify.txt" " READY=1$" 20 $br || fail "no READY=1 from the bridge"
[ "$(msgs READY=1)" -eq 1 ] || fail "READY=1 came $(msgs READY=1) times at the start"
after 1 | head -n 1 | grep -q '^READY=1$' || fail "the first message was not READY=1: $(after 1 | head -n 1)"
bt_wait_for "$tmp/bridge.log" "session open" 10 $br || fail "the sim session did not open"
# the state is on the target: READY=1 meant a working bridge
mosquitto_sub -h 127.0.0.1 -p "$TP" -t 'bluetti/+/state' -C 1 -W 10 > "$tmp/state.txt" 2>&1 ||
    fail "no state on the target after READY=1"
sleep 2.5
n=$(msgs WATCHDOG=1)
# 400 ms: a ping every 200 ms, so 2.5 s and more after READY=1 hold ten or so
[ "$n" -ge 8 ] || fail "only $n WATCHDOG=1 in the first 2.5 s and more (a ping every 0.2 s expected)"
# the gaps: none reaches the interval (systemd would kill), and on average
# they are about half of it, not a ping from every pass of the loop (the
# average: the listener's receive times, not the send times, are logged, so
# one late wake-up of the listener makes one short gap)
gaps=$(grep ' WATCHDOG=1$' "$tmp/notify.txt" | awk 'NR == 1 { f = $1 } NR > 1 { g = $1 - p; if (g > max) max = g }
    { p = $1 } END { printf "%.3f %.3f", (p - f) / (NR - 1), max }')
avg=${gaps% *}
max=${gaps#* }
awk -v a="$avg" -v b="$max" 'BEGIN { exit !(a >= 0.15 && b < 0.4) }' ||
    fail "WATCHDOG=1 gaps of $avg s on average, $max s at most; want 0.15 s and more on average, each under the 0.4 s interval"

# ---- SIGHUP: RELOADING=1, then READY=1 --------------------------------------------------
mark=$(wc -l < "$tmp/notify.txt")
kill -HUP $br
bt_wait_for "$tmp/bridge.log" "config reloaded" 10 $br || fail "SIGHUP: the bridge did not reload"
n=0
until after "$mark" | grep -q '^READY=1$'; do
    [ $n -lt 100 ] || fail "no READY=1 after the reload: $(after "$mark" | grep -v WATCHDOG)"
    sleep 0.05
    n=$((n + 1))
done
seq=$(after "$mark" | grep -v '^WATCHDOG=1$' | tr '\n' ' ')
[ "$seq" = "RELOADING=1 READY=1 " ] || fail "SIGHUP: the messages were '$seq', not 'RELOADING=1 READY=1 '"
# the watchdog goes on after the reload
mark=$(wc -l < "$tmp/notify.txt")
sleep 0.6
after "$mark" | grep -q '^WATCHDOG=1$' || fail "no WATCHDOG=1 after the reload"

# ---- SIGTERM: STOPPING=1 last, exit 0 ------------------------------------------------------
mark=$(wc -l < "$tmp/notify.txt")
kill -TERM $br
wait $br
st=$?
[ $st -eq 0 ] || fail "the bridge exited $st after SIGTERM"
sleep 0.2
seq=$(after "$mark" | grep -v '^WATCHDOG=1$' | tr '\n' ' ')
[ "$seq" = "STOPPING=1 " ] || fail "SIGTERM: the messages were '$seq', not 'STOPPING=1 '"
after "$mark" | tail -n 1 | grep -q '^STOPPING=1$' || fail "a message came after STOPPING=1: $(after "$mark")"

# ---- WATCHDOG_PID of another process: that one's watchdog, not the bridge's ---------------
mark=$(wc -l < "$tmp/notify.txt")
# shellcheck disable=SC2086 # the wrapper is a command line
NOTIFY_SOCKET=$sock WATCHDOG_USEC=400000 WATCHDOG_PID=$lis $WRAP "$B/tools/bluetti-bridge" \
    --plugin-dir "$B/plugins/.libs" -c "$tmp/bridge.conf" > "$tmp/bridge2.log" 2>&1 &
br2=$!
pids="$pids $br2"
n=0
until after "$mark" | grep -q '^READY=1$'; do
    if ! kill -0 $br2 2>/dev/null || [ $n -ge 200 ]; then
        fail "no READY=1 from a bridge with another WATCHDOG_PID"
    fi
    sleep 0.05
    n=$((n + 1))
done
sleep 1
kill -TERM $br2
wait $br2
st=$?
[ $st -eq 0 ] || fail "the second bridge exited $st after SIGTERM"
sleep 0.2
seq=$(after "$mark" | tr '\n' ' ')
[ "$seq" = "READY=1 STOPPING=1 " ] ||
    fail "with WATCHDOG_PID of another process the messages were '$seq', not 'READY=1 STOPPING=1 '"
echo "notify.sh: all passed"

#!/bin/sh
# bench/soak.sh SRCDIR BUILDDIR — `make soak` (outside CI): bluetti-bridge
# with 100 simulated devices (the in-process sim source, 1 s interval) for
# 10 minutes, the target mosquitto killed and restarted every 2 minutes.
# Passes when the bridge's RSS and open descriptors at the end are no
# higher than after the first restart (plus 2 MiB / 0 descriptors of
# slack) and every device's retained state, read after the last restart,
# is at most 30 s old. SOAK_MINUTES, SOAK_RESTART_S and SOAK_DEVICES
# change the figures; BENCH_KEEP=1 keeps the files.
set -u
S=$1
B=$2
MIN=${SOAK_MINUTES:-10}
EVERY=${SOAK_RESTART_S:-120}
N=${SOAK_DEVICES:-100}
. "$S/tests/shlib.sh"
bt_find_mosquitto || { echo "soak: needs mosquitto" >&2; exit 1; }
bt_scratch bluetti-soak "${BENCH_KEEP:-}"
die() { echo "soak: FAIL: $*" >&2; tail -n 5 "$tmp"/*.log >&2 2>/dev/null; exit 1; }
BLUETTI_SIM_DEVICES=$S/data/devices
export BLUETTI_SIM_DEVICES

conf() {
    printf 'persistence false\nlog_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n' > "$tmp/mosquitto.conf"
    printf 'log_type information\nlistener %s 127.0.0.1\nallow_anonymous true\n' "$1" >> "$tmp/mosquitto.conf"
}
bt_start_broker "$MOSQ" "$tmp/mosquitto.conf" "$tmp/broker.log" conf || die "mosquitto would not start"
broker=$bt_broker
PORT=$bt_port
{
    printf '[bridge]\nhealth_interval = 10\n[target]\nbroker = 127.0.0.1\nport = %s\n[source sim]\ntransport = sim\n' "$PORT"
    i=0
    while [ $i -lt "$N" ]; do
        printf '[device d%s]\nmodel = EL100V2\nserial = %s\ninterval = 1\n' $i $((5000000000 + i))
        i=$((i + 1))
    done
} > "$tmp/bridge.conf"
"$B/tools/bluetti-bridge" --plugin-dir "$B/plugins/.libs" -c "$tmp/bridge.conf" > "$tmp/bridge.log" 2>&1 &
br=$!
pids="$pids $br $broker"

sleep 2
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$br/status"; }
fds() { ls "/proc/$br/fd" | wc -l; }
end=$(( $(date +%s) + MIN * 60 ))
round=0
rss1= fd1=
while [ "$(date +%s)" -lt "$end" ]; do
    sleep "$EVERY"
    kill -0 $br 2>/dev/null || die "the bridge died"
    kill -KILL $broker
    wait $broker 2>/dev/null
    sleep 3
    "$MOSQ" -c "$tmp/mosquitto.conf" > "$tmp/broker-$round.log" 2>&1 &
    broker=$!
    pids="$pids $broker"
    bt_wait_for "$tmp/broker-$round.log" " running" 10 $broker || die "mosquitto would not restart"
    round=$((round + 1))
    sleep 10
    echo "soak: restart $round: RSS $(rss) KiB, $(fds) descriptors"
    if [ -z "$rss1" ]; then rss1=$(rss); fd1=$(fds); fi
done
rss2=$(rss)
fd2=$(fds)
now=$(date +%s)
mosquitto_sub -h 127.0.0.1 -p "$PORT" -t 'bluetti/+/state' -W 5 -C "$N" > "$tmp/states.txt" 2>/dev/null
got=$(grep -c '"serial"' "$tmp/states.txt")
stale=$(awk -v now="$now" '{ if (match($0, /"timestamp":[0-9.]+/)) { t = substr($0, RSTART + 12, RLENGTH - 12); if (now - t > 30) n++ } } END { print n + 0 }' "$tmp/states.txt")
echo "soak: $MIN min, $round target restarts; RSS $rss1 -> $rss2 KiB, descriptors $fd1 -> $fd2; $got of $N states, $stale older than 30 s"
[ "$got" -eq "$N" ] || die "only $got of $N devices have a state after the last restart"
[ "$stale" -eq 0 ] || die "$stale states are older than 30 s"
[ "$rss2" -le $((rss1 + 2048)) ] || die "RSS grew from $rss1 to $rss2 KiB"
[ "$fd2" -le "$fd1" ] || die "descriptors grew from $fd1 to $fd2"
echo "soak: PASS"

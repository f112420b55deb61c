#!/bin/sh
# bench/bridge.sh SRCDIR BUILDDIR RESULTS.json — bluetti-bridge with N
# simulated devices (default 1000; bluetti-sim on a TLS mosquitto with
# client certificates; 3 blocks each, the EL100V2's default groups, at
# 1 Hz) publishing to a second, plain mosquitto, against a floor measured
# in the same run: bench_fleet_floor --publish, a bare libmosquitto client
# doing the same reads and forwarding precomputed states (from
# `bluetti-bridge --once`) to the same target. Figures: CPU share of each
# over the measured window, the ratio, p99 from a round's first request to
# its state arriving at a subscriber of the target (the state's
# `requested` against mosquitto_sub's receive time), the bridge's RSS.
# Targets (issue 14): p99 < 20 ms, CPU <= 1.3x floor, RSS < 48 MiB.
# BENCH_BRIDGE_DEVICES=N, BENCH_QUICK=1 (shorter), BENCH_KEEP=1.
set -u
S=$1
B=$2
OUT=$3
N=${BENCH_BRIDGE_DEVICES:-1000}
BASE=4000000000
if [ -n "${BENCH_QUICK:-}" ]; then WARM=4; MEASURE=8; else WARM=5; MEASURE=20; fi
. "$S/tests/shlib.sh"
bt_find_mosquitto || { echo "bench/bridge.sh: needs mosquitto" >&2; exit 1; }
OPENSSL_BIN=${OPENSSL_BIN:-openssl}
export OPENSSL_BIN
bt_scratch bluetti-bench-bridge "${BENCH_KEEP:-}"
die() { echo "bench/bridge.sh: $*" >&2; tail -n 5 "$tmp"/*.log >&2 2>/dev/null; exit 1; }
BLUETTI_SIM_DEVICES=$S/data/devices
export BLUETTI_SIM_DEVICES
HZ=$(getconf CLK_TCK)

mkdir -p "$tmp/pki"
BT_MQTT_PASSWORD="pw-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export BT_MQTT_PASSWORD
sh "$S/tests/integration/mqtt/mkcerts.sh" "$tmp/pki" || die "making the certificates failed"
chmod 644 "$tmp/pki"/*.key "$tmp/pki"/*.crt
printf '%s\n' "$BT_MQTT_PASSWORD" > "$tmp/cert.pw"
chmod 600 "$tmp/cert.pw"

logs='log_dest stderr
log_type error
log_type warning
log_type notice
log_type information'
src_conf() {
    printf 'persistence false\n%s\nlistener %s 127.0.0.1\nset_tcp_nodelay true\n' "$logs" "$1" > "$tmp/source.conf"
    printf 'cafile %s\ncertfile %s\nkeyfile %s\nrequire_certificate true\nallow_anonymous true\n' \
        "$tmp/pki/ca.crt" "$tmp/pki/server.crt" "$tmp/pki/server.key" >> "$tmp/source.conf"
    printf 'max_queued_messages 100000\n' >> "$tmp/source.conf"
}
tgt_conf() {
    printf 'persistence false\n%s\nlistener %s 127.0.0.1\nset_tcp_nodelay true\nallow_anonymous true\n' \
        "$logs" "$1" > "$tmp/target.conf"
    printf 'max_queued_messages 100000\n' >> "$tmp/target.conf"
}
bt_start_broker "$MOSQ" "$tmp/source.conf" "$tmp/source-broker.log" src_conf || die "source broker"
pids="$pids $bt_broker"
SPORT=$bt_port
bt_start_broker "$MOSQ" "$tmp/target.conf" "$tmp/target-broker.log" tgt_conf || die "target broker"
pids="$pids $bt_broker"
PORT=$bt_port

args=
i=0
while [ $i -lt "$N" ]; do
    args="$args --device $S/data/devices/el100v2.json --sn $((BASE + i))"
    i=$((i + 1))
done
SIMBIN=$B/tools/bluetti-sim
# shellcheck disable=SC2086
BLUETTI_CERT_PASSWORD=$BT_MQTT_PASSWORD "$SIMBIN" --broker localhost --port "$SPORT" \
    --cert "$tmp/pki/sim.p12" --cafile "$tmp/pki/ca.crt" -q --ready-file "$tmp/sim.ready" $args \
    > "$tmp/sim.log" 2>&1 &
sim=$!
pids="$pids $sim"
bt_wait_for "$tmp/sim.ready" . 120 $sim || die "bluetti-sim did not get ready"

devices() { # SOURCE: the device sections
    i=0
    while [ $i -lt "$N" ]; do
        printf '[device d%s]\nsource = %s\nmodel = EL100V2\nserial = %s\ninterval = 1\n' $i "$1" $((BASE + i))
        i=$((i + 1))
    done
}
{
    printf '[bridge]\nhealth_interval = 10\n[target]\nbroker = 127.0.0.1\nport = %s\n' "$PORT"
    printf '[source cloud]\ntransport = mqtt\nbroker = localhost\nport = %s\ncert = %s\n' "$SPORT" "$tmp/pki/client.p12"
    printf 'password_file = %s\ncafile = %s\n' "$tmp/cert.pw" "$tmp/pki/ca.crt"
    devices cloud
} > "$tmp/bridge.conf"
# the states the floor forwards: the same devices, read once from the in-process sim
{ printf '[source sim]\ntransport = sim\nmodel = EL100V2\n'; devices sim; } > "$tmp/once.conf"
bridge="$B/tools/bluetti-bridge --plugin-dir $B/plugins/.libs"
$bridge -c "$tmp/once.conf" --once 2> "$tmp/once.log" | grep '/state ' > "$tmp/states.txt"
[ "$(wc -l < "$tmp/states.txt")" -eq "$N" ] || die "--once printed $(wc -l < "$tmp/states.txt") states, not $N"

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# ---- the floor ------------------------------------------------------------------------
"$B/bench/bench_fleet_floor" --publish "$PORT" "$tmp/states.txt" "$B/plugins/.libs" "$tmp/pki" \
    "$SPORT" "$N" $((WARM + MEASURE)) "$BASE" > "$tmp/floor.out" 2> "$tmp/floor.log" ||
    die "the floor failed"
floor_pct=$(awk '$1 == "fleet_floor_cpu_core_fraction" { print $2 * 100 }' "$tmp/floor.out")
floor_reads=$(awk '$1 == "fleet_floor_reads_per_s" { print $2 }' "$tmp/floor.out")

# ---- the bridge -------------------------------------------------------------------------
${BENCH_BRIDGE_WRAP:-} $bridge -c "$tmp/bridge.conf" -q > "$tmp/bridge.log" 2>&1 &
br=$!
pids="$pids $br"
t_start=$(date +%s)
# steady state: after every device's discovery (the last device's last
# entity is published last), which at startup competes with the states
sleep "$WARM"
last="homeassistant/sensor/bluetti_$((BASE + N - 1))/protocol_version/config"
n=0
until mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "$last" -C 1 -W 1 > /dev/null 2>&1; do
    n=$((n + 1))
    [ $n -lt 120 ] || die "the discovery of $N devices did not end within two minutes"
    kill -0 $br 2>/dev/null || die "the bridge died"
done
discovery_s=$(( $(date +%s) - t_start ))
sleep 2
# a sample of the devices (every 20th): a subscriber printing every state
# would lag behind and time its own backlog
topics=
i=0
while [ $i -lt "$N" ]; do
    topics="$topics -t bluetti/$((BASE + i))/state"
    i=$((i + 20))
done
# shellcheck disable=SC2086
mosquitto_sub -h 127.0.0.1 -p "$PORT" $topics -F '%U %p' > "$tmp/sub.txt" 2>&1 &
sub=$!
pids="$pids $sub"
sleep 1   # the retained states first, then live ones
: > "$tmp/sub.txt"
c0=$(ticks $br)
sleep "$MEASURE"
c1=$(ticks $br)
kill -TERM $sub
bridge_ticks=$((c1 - c0))
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$br/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$br/status")
kill -0 $br || die "the bridge died"
mosquitto_sub -h 127.0.0.1 -p "$PORT" -t 'bluetti/bridge/+/health' -C 1 -W 5 > "$tmp/health.json" 2>/dev/null
mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "bluetti/$((BASE + N / 2))/health" -C 1 -W 5 > "$tmp/device-health.json" 2>/dev/null
lat=$(awk '{ if (match($0, /"requested":[0-9.]+/)) { r = substr($0, RSTART + 12, RLENGTH - 12); print ($1 - r) * 1000 } }' \
    "$tmp/sub.txt" | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan nan 0"; exit }
        i50 = int(NR * 0.50 + 0.999); i99 = int(NR * 0.99 + 0.999); printf "%.2f %.2f %d\n", v[i50], v[i99], NR }')
p50=${lat%% *}
rest=${lat#* }
p99=${rest%% *}
msgs=${rest#* }

awk -v ds="$discovery_s" -v fc="$floor_pct" -v fr="$floor_reads" -v bt="$bridge_ticks" -v hz="$HZ" -v m="$MEASURE" -v n="$N" \
    -v p50="$p50" -v p99="$p99" -v msgs="$msgs" -v rss="$rss" -v hwm="$hwm" -v out="$OUT" 'BEGIN {
    bc = bt / hz / m * 100; ratio = fc > 0 ? bc / fc : 0
    printf "bridge bench: %d devices x 3 blocks at 1 Hz, %d s measured after the discovery (done %d s after the start)\n", n, m, ds
    printf "  CPU share     bridge %.1f %%   floor %.1f %% (%s reads/s)   ratio %.2f   (target <= 1.3)\n", bc, fc, fr, ratio
    printf "  request->published state  p50 %s ms  p99 %s ms over %d states   (target p99 < 20 ms)\n", p50, p99, msgs
    printf "  bridge RSS    %.1f MiB (peak %.1f MiB)   (target < 48 MiB)\n", rss / 1024, hwm / 1024
    printf "{\"devices\": %d, \"seconds\": %d, \"bridge_cpu_pct\": %.2f, \"floor_cpu_pct\": %.2f, \"cpu_ratio\": %.3f, \"p50_ms\": %s, \"p99_ms\": %s, \"states\": %d, \"rss_kib\": %d, \"rss_peak_kib\": %d, \"discovery_s\": %d}\n", \
        n, m, bc, fc, ratio, p50, p99, msgs, rss, hwm, ds > out
}'

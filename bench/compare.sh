#!/bin/sh
# bench/compare.sh OLD NEW [ROUNDS] - before/after in one invocation.
#
# OLD and NEW are build directories that hold the bench programs
# (`make bench-programs`, or bench/opt of a `make bench` tree); OLD is
# usually a checkout of the earlier commit built with the same CFLAGS:
#
#   git worktree add /tmp/old <commit> && cd /tmp/old && autoreconf -fi &&
#   mkdir b && cd b && ../configure -q CFLAGS='-O2 -g' && make -j2 all bench-programs
#   bench/compare.sh /tmp/old/b /path/to/build/bench/opt
#
# Starts a TLS mosquitto on a free loopback port and NEW's bluetti-sim, then
# runs decode, plugin load, read latency (each with its floor) and a fleet
# of 1000 (with the fleet floor from NEW) for OLD and NEW alternately,
# ROUNDS times (default 3). Prints one line per run; compare within a round.
set -u
OLD=$1 NEW=$2 ROUNDS=${3:-3}
S=$(cd "$(dirname "$0")/.." && pwd)
. "$S/tests/shlib.sh"
bt_find_mosquitto || { echo "compare: needs Debian's mosquitto broker (apt-get install mosquitto)" >&2; exit 2; }
for d in "$OLD" "$NEW"; do
    [ -x "$d/bench/bench_fleet" ] || { echo "compare: $d/bench has no bench programs (make bench-programs)" >&2; exit 2; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bluetti-compare.XXXXXX") || exit 1
chmod 755 "$tmp"
broker= sim=
cleanup() {
    for p in $sim $broker; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
BT_MQTT_PASSWORD="pw-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export BT_MQTT_PASSWORD
BLUETTI_CERT_PASSWORD=$BT_MQTT_PASSWORD
export BLUETTI_CERT_PASSWORD
mkdir "$tmp/pki" && sh "$S/tests/integration/mqtt/mkcerts.sh" "$tmp/pki" || exit 1
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 0; }
. "$S/bench/broker.sh"
bench_start_broker || { cat "$tmp/broker.log" >&2; exit 1; }
args="--device $S/data/devices/el100v2.json --sn 1000000001"
k=0
while [ $k -lt 1000 ]; do
    args="$args --device $S/data/devices/el100v2.json --sn $((2000000000 + k))"
    k=$((k + 1))
done
SIMBIN=$NEW/tools/.libs/bluetti-sim
[ -x "$SIMBIN" ] || SIMBIN=$NEW/tools/bluetti-sim
# shellcheck disable=SC2086
LD_LIBRARY_PATH=$NEW/core/.libs:$NEW/core/cloud/.libs BLUETTI_PLUGIN_PATH=$NEW/plugins/.libs "$SIMBIN" --broker 127.0.0.1 \
    --port "$port" --cert "$tmp/pki/sim.p12" -q --ready-file "$tmp/ready" $args > "$tmp/sim.log" 2>&1 &
sim=$!
n=0
while [ ! -s "$tmp/ready" ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done
[ -s "$tmp/ready" ] || { cat "$tmp/sim.log" >&2; exit 1; }
IM="$S/data/devices/el100v2.json $S/data/devices/el30v2.json $S/data/devices/elite200v2.json"
run() { # dir program args... -> the program's key/value lines on one line
    d=$1 p=$2
    shift 2
    LD_LIBRARY_PATH=$d/core/.libs "$d/bench/$p" "$@" 2>/dev/null | tr '\n' ' '
    echo
}
pick() { tr ' ' '\n' | awk -v re="$1" 'prev ~ re { printf "%s=%s ", prev, $0 } { prev = $0 }'; echo; }
echo "compare: load average before $(cut -d' ' -f1 /proc/loadavg)"
r=1
while [ "$r" -le "$ROUNDS" ]; do
    for v in old new; do
        if [ $v = old ]; then d=$OLD; else d=$NEW; fi
        # shellcheck disable=SC2086
        echo "round $r $v decode: $(run "$d" bench_decode "$d/plugins/.libs" $IM -- 1 | pick '^decode_mix_(fields_per_s|ns_per_field)$')"
        echo "round $r $v load:   $(run "$d" bench_decode --load "$d/plugins/.libs" | pick '^plugin_load_us$')"
        echo "round $r $v read:   $(run "$d" bench_read "$d/plugins/.libs" "$tmp/pki" "$port" 1000000001 2000 100 | pick '^(read|floor)_(p50_us|p99_us|cpu_us_per_read)$')"
        echo "round $r $v fleet:  $(run "$d" bench_fleet "$d/plugins/.libs" "$tmp/pki" "$port" 1000 8 2000000000 | pick '^fleet_(reads_per_s|p99_ms|cpu_core_fraction|cpu_s_per_1000_reads)$')"
    done
    if [ -x "$NEW/bench/bench_fleet_floor" ]; then
        echo "round $r floor fleet: $(run "$NEW" bench_fleet_floor --poll "$NEW/plugins/.libs" "$tmp/pki" "$port" 1000 8 2000000000 | pick '^fleet_floor_(reads_per_s|p99_ms|cpu_core_fraction|cpu_s_per_1000_reads)$')"
    fi
    r=$((r + 1))
done
echo "compare: load average after $(cut -d' ' -f1 /proc/loadavg)"

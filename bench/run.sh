#!/bin/sh
# bench/run.sh SRCDIR OPTDIR RESULTS.json — run every benchmark against the
# optimised build in OPTDIR (made by `make bench`), print a table and write
# the figures as JSON. Starts a throw-away PKI (tests/integration/mqtt/mkcerts.sh), a
# TLS mosquitto on a free loopback port and bluetti-sim; everything started
# here is stopped again, also on failure or interrupt.
#
# Environment: BENCH_QUICK=1 for short rounds; BENCH_FLEET="1 10 100 1000";
# BENCH_FLEET_WRAP="perf record -g -o /tmp/fleet.data" profiles each SDK fleet
# round, BENCH_FLEET_FLOOR_WRAP the same for each fleet floor round (the
# wrapper must pass the exit status through); the fleet floor polls the
# socket itself and calls mosquitto_loop_read/_write/_misc (the tightest bare
# client; BENCH_FLEET_FLOOR_ARGS= runs it with plain mosquitto_loop());
# MOSQUITTO_BROKER, OPENSSL_BIN as for the tests; BENCH_KEEP=1 keeps the
# temporary directory.
set -u
S=$1
B=$2
OUT=$3
QUICK=${BENCH_QUICK:-}
FLEET=${BENCH_FLEET:-1 10 100 1000}
. "$S/tests/shlib.sh"
bt_find_mosquitto || { echo "bench: needs the mosquitto broker (apt-get install mosquitto)" >&2; exit 1; }
OPENSSL_BIN=${OPENSSL_BIN:-openssl}
export OPENSSL_BIN

if [ -n "$QUICK" ]; then
    DEC_S=0.3; READS=1000; FLEET_S=4; LOADS=5
else
    DEC_S=1; READS=4000; FLEET_S=8; LOADS=11
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bluetti-bench.XXXXXX") || exit 1
chmod 755 "$tmp"
mkdir -p "$tmp/pki" "$tmp/home"
kv=$tmp/results.kv
: > "$kv"
broker=
sim=

stop() { # pid: TERM, wait up to 5 s, then KILL
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null
    n=0
    while [ $n -lt 50 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1; n=$((n + 1)); done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}
cleanup() {
    trap - EXIT INT TERM
    stop "$sim"
    stop "$broker"
    if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { bt_fail_logs bench "$tmp" 15 "$@"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
get() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }
put() { echo "$1 $2" >> "$kv"; }

PLUG=$B/plugins/.libs
export LD_LIBRARY_PATH="$B/core/.libs:$B/core/cloud/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
BIN=$B/bench
TOOL=$B/tools/.libs/bluetti-tool
[ -x "$TOOL" ] || TOOL=$B/tools/bluetti-tool
SIMBIN=$B/tools/.libs/bluetti-sim
[ -x "$SIMBIN" ] || SIMBIN=$B/tools/bluetti-sim
for p in bench_decode bench_read bench_fleet bench_fleet_floor bench_rss; do
    [ -x "$BIN/$p" ] || fail "$BIN/$p is missing (run make bench)"
done
IMAGES="$S/data/devices/el100v2.json $S/data/devices/el30v2.json $S/data/devices/elite200v2.json"

# other processes on the machine skew everything: note the load around the run
put load_before "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)"

# ---- footprint ----------------------------------------------------------------
echo "bench: footprint" >&2
i=0
: > "$tmp/load"
: > "$tmp/loadtotal"
while [ $i -lt $LOADS ]; do
    "$BIN/bench_decode" --load "$PLUG" > "$tmp/one" || fail "plugin load failed"
    get plugin_load_us "$tmp/one" >> "$tmp/load"
    i=$((i + 1))
done
put plugin_load_us "$(median < "$tmp/load")"
put plugin_count "$(get plugin_count "$tmp/one")"
for tr in sim mqtt; do
    i=0
    : > "$tmp/load"
    while [ $i -lt $LOADS ]; do
        "$BIN/bench_decode" --load-for "$PLUG" $tr > "$tmp/one" || fail "plugin load for $tr failed"
        get plugin_load_${tr}_us "$tmp/one" >> "$tmp/load"
        i=$((i + 1))
    done
    put plugin_load_${tr}_us "$(median < "$tmp/load")"
    put plugin_count_${tr} "$(get plugin_count_${tr} "$tmp/one")"
done
: > "$tmp/rss"
: > "$tmp/wall"
i=0
while [ $i -lt $LOADS ]; do
    HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home BLUETTI_PLUGIN_PATH=$PLUG BLUETTI_SIM_DEVICES=$S/data/devices \
        "$BIN/bench_rss" "$TOOL" --no-config --no-plugin-search --plugin-dir "$PLUG" --transport sim read > "$tmp/one" || fail "bench_rss failed"
    [ "$(get status "$tmp/one")" = 0 ] || fail "bluetti-tool --transport sim read failed"
    get rss_kib "$tmp/one" >> "$tmp/rss"
    get wall_ms "$tmp/one" >> "$tmp/wall"
    i=$((i + 1))
done
put tool_read_rss_kib "$(median < "$tmp/rss")"
put tool_read_wall_ms "$(median < "$tmp/wall")"
real() { readlink -f "$1"; }
stripped() { strip -o "$tmp/stripped" "$1" 2>/dev/null && stat -c %s "$tmp/stripped" || stat -c %s "$1"; }
put size_tool_bytes "$(stripped "$TOOL")"
put size_libbluetti_bytes "$(stripped "$(real "$B/core/.libs/libbluetti.so")")"
tot=0
for f in "$PLUG"/*.so; do tot=$((tot + $(stripped "$f"))); done
put size_plugins_bytes "$tot"
put size_sim_bytes "$(stripped "$SIMBIN")"

# ---- decode -------------------------------------------------------------------
echo "bench: decode" >&2
# shellcheck disable=SC2086
"$BIN/bench_decode" "$PLUG" $IMAGES -- "$DEC_S" >> "$kv" || fail "bench_decode failed"

# ---- PKI and broker -------------------------------------------------------------
echo "bench: PKI, broker" >&2
BT_MQTT_PASSWORD="pw-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export BT_MQTT_PASSWORD
sh "$S/tests/integration/mqtt/mkcerts.sh" "$tmp/pki" || fail "making the certificates failed"
BLUETTI_CERT_PASSWORD=$BT_MQTT_PASSWORD
export BLUETTI_CERT_PASSWORD
. "$S/bench/broker.sh"
broker=
bench_start_broker
[ -n "$broker" ] || fail "mosquitto would not start"

start_sim() { # name serial-base count
    args=
    k=0
    while [ $k -lt "$3" ]; do
        args="$args --device $S/data/devices/el100v2.json --sn $(($2 + k))"
        k=$((k + 1))
    done
    rm -f "$tmp/sim.ready"
    # shellcheck disable=SC2086
    "$SIMBIN" --broker 127.0.0.1 --port "$port" --cert "$tmp/pki/sim.p12" -q \
        --ready-file "$tmp/sim.ready" $args > "$tmp/sim-$1.log" 2>&1 &
    sim=$!
    wait_for "$tmp/sim.ready" . 120 "$sim" || fail "bluetti-sim ($1) did not get ready"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)

# ---- read latency: SDK against the bare libmosquitto floor --------------------
echo "bench: read latency ($READS + $READS reads)" >&2
start_sim read 1000000001 1
"$BIN/bench_read" "$PLUG" "$tmp/pki" "$port" 1000000001 "$READS" 100 > "$tmp/read.out" 2> "$tmp/read.log" ||
    fail "bench_read failed"
cat "$tmp/read.out" >> "$kv"
stop "$sim"
sim=

# ---- fleet: SDK against the bare libmosquitto fleet floor ----------------------
# For each size both rounds run against the same bluetti-sim, one after the
# other; which goes first alternates from size to size. Broker and
# simulator CPU is taken around each round (whole round incl. the warm-up
# second and setup, so only a rough share).
fleet_round() { # sdk|floor devices serial-base
    if [ "$1" = sdk ]; then
        prog=bench_fleet; wrap=${BENCH_FLEET_WRAP:-}; from=fleet_; to=fleet${2}_; args=
    else
        prog=bench_fleet_floor; wrap=${BENCH_FLEET_FLOOR_WRAP:-}; from=fleet_floor_; to=fleet${2}_floor_
        args=${BENCH_FLEET_FLOOR_ARGS---poll}
    fi
    b0=$(cpu_ticks "$broker")
    s0=$(cpu_ticks "$sim")
    # shellcheck disable=SC2086
    $wrap "$BIN/$prog" $args "$PLUG" "$tmp/pki" "$port" "$2" "$FLEET_S" "$3" > "$tmp/fleet.out" \
        2> "$tmp/$1-fleet$2.log" || fail "$prog $2 failed"
    b1=$(cpu_ticks "$broker")
    s1=$(cpu_ticks "$sim")
    kill -0 "$sim" 2>/dev/null || fail "bluetti-sim died during the $1 round of fleet $2"
    sed -n "s/^$from/$to/p" "$tmp/fleet.out" >> "$kv"
    put "${to}broker_cpu_s" "$(awk -v a="$b0" -v b="$b1" -v h="$HZ" 'BEGIN { printf "%.2f", (b - a) / h }')"
    put "${to}sim_cpu_s" "$(awk -v a="$s0" -v b="$s1" -v h="$HZ" 'BEGIN { printf "%.2f", (b - a) / h }')"
}
nth=0 # (start_sim uses k)
for nd in $FLEET; do
    nth=$((nth + 1))
    if [ $((nth % 2)) = 1 ]; then order="sdk floor"; else order="floor sdk"; fi
    echo "bench: fleet of $nd devices, SDK and floor ($order, ${FLEET_S} s each)" >&2
    base=$((2000000000 + nd * 10000))
    start_sim "fleet$nd" $base "$nd"
    for kind in $order; do fleet_round "$kind" "$nd" "$base"; done
    put "fleet${nd}_floor_first" "$([ "$order" = "floor sdk" ] && echo 1 || echo 0)"
    stop "$sim"
    sim=
done

put load_after "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)"

# ---- report ---------------------------------------------------------------------
awk -v out="$OUT" -v fleet="$FLEET" -v cores="$(nproc 2>/dev/null || echo 1)" '
{ v[$1] = $2 }
function pf(ok) { return ok ? "PASS" : "FAIL" }
function num(k) { return (k in v) ? v[k] + 0 : 0 }
function ratio(n,   f) { f = num("fleet" n "_floor_cpu_s_per_1000_reads"); return f > 0 ? num("fleet" n "_cpu_s_per_1000_reads") / f : 0 }
END {
    nf = split(fleet, F, " ")
    r50 = num("read_p50_us"); f50 = num("floor_p50_us")
    r99 = num("read_p99_us"); f99 = num("floor_p99_us")
    q50 = f50 > 0 ? r50 / f50 : 0; q99 = f99 > 0 ? r99 / f99 : 0
    printf "\nbluetti benchmarks (%d cores, load average %s before, %s after)\n", cores, v["load_before"], v["load_after"]
    printf "%-44s %14s  %-16s %s\n", "figure", "value", "target", "result"
    printf "%-44s %14.0f  %-16s %s\n", "decode catalog mix, fields/s", num("decode_mix_fields_per_s"), ">= 100M", pf(num("decode_mix_fields_per_s") >= 1e8)
    split("100 1300 6000 mix", D, " ")
    for (i = 1; i <= 4; i++)
        printf "%-44s %14s  %-16s\n", "decode " D[i] ": blocks/s | ns/field", sprintf("%.2fM | %.2f", num("decode_" D[i] "_blocks_per_s") / 1e6, num("decode_" D[i] "_ns_per_field")), ""
    printf "%-44s %14s  %-16s\n", "read p50/p90/p99 us (SDK)", sprintf("%.0f/%.0f/%.0f", r50, num("read_p90_us"), r99), ""
    printf "%-44s %14s  %-16s\n", "read p50/p90/p99 us (floor)", sprintf("%.0f/%.0f/%.0f", f50, num("floor_p90_us"), f99), ""
    printf "%-44s %14.2f  %-16s %s\n", "read p50 SDK/floor", q50, "<= 1.2", pf(q50 > 0 && q50 <= 1.2)
    printf "%-44s %14.2f  %-16s %s\n", "read p99 SDK/floor", q99, "<= 2.0", pf(q99 > 0 && q99 <= 2.0)
    printf "%-44s %14s  %-16s\n", "CPU us per read SDK | floor", sprintf("%.0f | %.0f", num("read_cpu_us_per_read"), num("floor_cpu_us_per_read")), ""
    for (i = 1; i <= nf; i++) {
        n = F[i]; p = "fleet" n "_"
        printf "%-44s %14s  %-16s\n", sprintf("fleet %d: reads/s (of %d) | errors", n, 3 * n), sprintf("%.0f | %d", num(p "reads_per_s"), num(p "errors")), ""
        big = (n == 1000)
        printf "%-44s %14.2f  %-16s %s\n", sprintf("fleet %d: p99 ms", n), num(p "p99_ms"), big ? "< 10" : "", big ? pf(num(p "p99_ms") < 10 && num(p "reads_per_s") >= 0.95 * 3 * n) : ""
        printf "%-44s %14.1f  %-16s %s\n", sprintf("fleet %d: %% of one core (SDK process)", n), 100 * num(p "cpu_core_fraction"), big ? "< 25" : "", big ? pf(num(p "cpu_core_fraction") < 0.25) : ""
        printf "%-44s %14.3f  %-16s\n", sprintf("fleet %d: CPU s per 1000 reads", n), num(p "cpu_s_per_1000_reads"), ""
        printf "%-44s %14d  %-16s %s\n", sprintf("fleet %d: peak RSS KiB", n), num(p "peak_rss_kib"), big ? "< 32768" : "", big ? pf(num(p "peak_rss_kib") < 32768) : ""
        printf "%-44s %14s  %-16s\n", sprintf("fleet %d: broker | sim CPU s (whole round)", n), sprintf("%.2f | %.2f", num(p "broker_cpu_s"), num(p "sim_cpu_s")), ""
        q = p "floor_"
        if (num(q "poll_style")) printf "%-44s %14s  %-16s\n", sprintf("fleet %d floor: event loop", n), "own poll()", ""
        printf "%-44s %14s  %-16s\n", sprintf("fleet %d floor: reads/s | errors", n), sprintf("%.0f | %d", num(q "reads_per_s"), num(q "errors")), ""
        printf "%-44s %14.2f  %-16s\n", sprintf("fleet %d floor: p99 ms", n), num(q "p99_ms"), ""
        printf "%-44s %14.1f  %-16s\n", sprintf("fleet %d floor: %% of one core", n), 100 * num(q "cpu_core_fraction"), ""
        printf "%-44s %14.3f  %-16s\n", sprintf("fleet %d floor: CPU s per 1000 reads", n), num(q "cpu_s_per_1000_reads"), ""
        printf "%-44s %14d  %-16s\n", sprintf("fleet %d floor: peak RSS KiB", n), num(q "peak_rss_kib"), ""
        printf "%-44s %14s  %-16s\n", sprintf("fleet %d floor: broker | sim CPU s", n), sprintf("%.2f | %.2f", num(q "broker_cpu_s"), num(q "sim_cpu_s")), ""
        printf "%-44s %14.2f  %-16s\n", sprintf("fleet %d: CPU SDK/floor (per read)", n), ratio(n), ""
    }
    printf "%-44s %14d  %-16s %s\n", "tool read (sim): peak RSS KiB", num("tool_read_rss_kib"), "< 8192", pf(num("tool_read_rss_kib") < 8192)
    printf "%-44s %14.1f  %-16s\n", "tool read (sim): wall ms", num("tool_read_wall_ms"), ""
    printf "%-44s %14.2f  %-16s %s\n", sprintf("plugin load (%d plugins), ms", num("plugin_count")), num("plugin_load_us") / 1000, "< 5", pf(num("plugin_load_us") < 5000)
    printf "%-44s %14.2f\n", sprintf("  as the tool loads for a sim read (%d), ms", num("plugin_count_sim")), num("plugin_load_sim_us") / 1000
    printf "%-44s %14.2f\n", sprintf("  as the tool loads for an mqtt read (%d), ms", num("plugin_count_mqtt")), num("plugin_load_mqtt_us") / 1000
    printf "%-44s %14s  %-16s\n", "stripped KiB: tool | libbluetti | plugins", sprintf("%d|%d|%d", num("size_tool_bytes") / 1024, num("size_libbluetti_bytes") / 1024, num("size_plugins_bytes") / 1024), ""

    # JSON: the named top-level figures, the fleet list, then everything
    printf "{\n" > out
    printf "  \"cores\": %d,\n  \"load_before\": %s,\n  \"load_after\": %s,\n", cores, num("load_before"), num("load_after") > out
    split("decode_fields_per_s=decode_mix_fields_per_s read_p50_us=read_p50_us read_p90_us=read_p90_us read_p99_us=read_p99_us floor_p50_us=floor_p50_us floor_p90_us=floor_p90_us floor_p99_us=floor_p99_us plugin_load_us=plugin_load_us plugin_load_sim_us=plugin_load_sim_us plugin_load_mqtt_us=plugin_load_mqtt_us tool_read_rss_kib=tool_read_rss_kib", M, " ")
    for (i = 1; i in M; i++) { split(M[i], kvp, "="); printf "  \"%s\": %s,\n", kvp[1], num(kvp[2]) > out }
    printf "  \"read_p50_ratio\": %.3f,\n  \"read_p99_ratio\": %.3f,\n", q50, q99 > out
    printf "  \"fleet\": [" > out
    for (i = 1; i <= nf; i++) {
        n = F[i]; p = "fleet" n "_"
        q = p "floor_"
        printf "%s\n    {\"devices\": %d, \"reads_per_s\": %s, \"p50_ms\": %s, \"p99_ms\": %s, \"cpu_s_per_1000_reads\": %s, \"cpu_core_fraction\": %s, \"peak_rss_kib\": %d, \"errors\": %d, \"overruns\": %d", (i > 1 ? "," : ""), n, num(p "reads_per_s"), num(p "p50_ms"), num(p "p99_ms"), num(p "cpu_s_per_1000_reads"), num(p "cpu_core_fraction"), num(p "peak_rss_kib"), num(p "errors"), num(p "overruns") > out
        printf ", \"broker_cpu_s\": %s, \"sim_cpu_s\": %s", num(p "broker_cpu_s"), num(p "sim_cpu_s") > out
        printf ",\n     \"floor_reads_per_s\": %s, \"floor_p50_ms\": %s, \"floor_p99_ms\": %s, \"floor_cpu_s_per_1000_reads\": %s, \"floor_cpu_core_fraction\": %s, \"floor_peak_rss_kib\": %d, \"floor_errors\": %d, \"floor_overruns\": %d, \"floor_broker_cpu_s\": %s, \"floor_sim_cpu_s\": %s, \"floor_first\": %d, \"floor_poll_style\": %d, \"floor_qos\": %d", num(q "reads_per_s"), num(q "p50_ms"), num(q "p99_ms"), num(q "cpu_s_per_1000_reads"), num(q "cpu_core_fraction"), num(q "peak_rss_kib"), num(q "errors"), num(q "overruns"), num(q "broker_cpu_s"), num(q "sim_cpu_s"), num(p "floor_first"), num(q "poll_style"), num(q "qos") > out
        printf ",\n     \"cpu_ratio_sdk_floor\": %.3f}", ratio(n) > out
    }
    printf "\n  ],\n  \"all\": {" > out
    k = 0
    for (key in v) { printf "%s\n    \"%s\": %s", (k++ ? "," : ""), key, num(key) > out }
    printf "\n  }\n}\n" > out
}' "$kv"
echo
echo "bench: figures written to $OUT"

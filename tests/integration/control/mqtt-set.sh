#!/bin/sh
# bluetti-tool set over MQTT: a throw-away PKI (mkcerts.sh of the MQTT tests),
# Debian's mosquitto on a free loopback port with a TLS listener that
# requires client certificates, and two bluetti-sim processes (one clean,
# one refusing writes of register 2011 with exception 3). The write goes
# through transport-mqtt like a read, the simulator's registers change,
# a later read shows it, and refused values never reach the simulator.
# Everything started here is stopped again. BT_MQTT_KEEP=1 keeps the
# temporary directory.
set -u

B=${BLUETTI_TEST_BUILDDIR:-.}
S=${BLUETTI_TEST_SRCDIR:-.}
WRAP=${BLUETTI_TEST_WRAPPER:-}
OPENSSL_BIN=${OPENSSL_BIN:-openssl}
export OPENSSL_BIN
. "$S/tests/shlib.sh"
bt_mosquitto mqtt-set.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bluetti-set.XXXXXX") || exit 1
chmod 755 "$tmp"
pki=$tmp/pki
mkdir -p "$pki" "$tmp/home" "$tmp/xdg"
broker=
sims=

cleanup() {
    trap - EXIT INT TERM
    # shellcheck disable=SC2086 # lists of pids
    bt_stop $sims $broker
    if [ -n "${BT_MQTT_KEEP:-}" ]; then echo "mqtt-set.sh: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { bt_fail_logs mqtt-set.sh "$tmp" 30 "$@"; }

# ---- certificates and the broker ------------------------------------------------
BT_MQTT_PASSWORD="pw-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export BT_MQTT_PASSWORD
mkcerts="$S/tests/integration/mqtt/mkcerts.sh"
sh "$mkcerts" "$pki" || fail "making the test certificates failed"
chmod 644 "$pki"/*.key "$pki"/*.crt
cat > "$pki/acl" <<EOF
user bluetti-client
topic read PUB/#
topic write SUB/#
user bluetti-sim
topic read SUB/#
topic write PUB/#
EOF
chmod 644 "$pki/acl"
write_conf() {
    {
        bt_broker_conf
        bt_tls_listener "$1" "$pki"
        printf 'use_identity_as_username true\nacl_file %s/acl\n' "$pki"
    } > "$tmp/mosquitto.conf"
}
bt_start_broker "$MOSQ" "$tmp/mosquitto.conf" "$tmp/broker.log" write_conf ||
    fail "mosquitto would not start (see broker.log)"
broker=$bt_broker
port=$bt_port

# ---- the simulated devices --------------------------------------------------------
D=$S/data/devices
bt_start_sim clean "$tmp" "$port" "$tmp/pki/sim.p12" --device "$D/el100v2.json" --sn 1000000001
bt_start_sim refuse "$tmp" "$port" "$tmp/pki/sim.p12" --faults write_exception=2011:3 --device "$D/el100v2.json" --sn 1000000002
for name in clean refuse; do
    eval "pid=\$sim_$name"
    bt_wait_for "$tmp/$name.ready" device 60 "$pid" || fail "bluetti-sim ($name) did not get ready"
done

# ---- the tool ------------------------------------------------------------------------
HOME=$tmp/home
XDG_CONFIG_HOME=$tmp/xdg
BLUETTI_PLUGIN_PATH=
export HOME XDG_CONFIG_HOME BLUETTI_PLUGIN_PATH
BLUETTI_CERT_PASSWORD=$BT_MQTT_PASSWORD
export BLUETTI_CERT_PASSWORD
: "${BLUETTI_TEST_PLUGIN_DIR:=$B/plugins/.libs}"
failures=0
out=$tmp/out
err=$tmp/err
# tool SN ARGS...: bluetti-tool over MQTT for device SN; sets $rc
tool() {
    sn=$1
    shift
    last="--sn $sn $*"
    rc=0
    # shellcheck disable=SC2086 # the wrapper is a command line
    $WRAP "$B/tools/bluetti-tool" --no-plugin-search --plugin-dir "$BLUETTI_TEST_PLUGIN_DIR" \
        --transport mqtt --broker localhost --port "$port" --cert "$pki/client.p12" \
        --cafile "$pki/ca.crt" --model EL100V2 --sn "$sn" --timeout 5 "$@" \
        >"$out" 2>"$err" </dev/null || rc=$?
}
check() {
    if ! eval "$1"; then
        failures=$((failures + 1))
        echo "FAIL: $2" >&2
        echo "  command: bluetti-tool $last (exit $rc)" >&2
        sed 's/^/  | /' "$out" "$err" >&2
    fi
}
writes_seen() { grep -c 'write of register' "$tmp/sim-$1.log"; }

tool 1000000001 set ctrl_ac off --yes
check '[ $rc -eq 0 ]' "set ctrl_ac off over MQTT exits 0"
check 'grep -q "^ctrl_ac (register 2011): on (1) -> off (0): applied$" "$out"' "the old and new value are printed"
check '[ "$(writes_seen clean)" -eq 1 ]' "bluetti-sim saw one write"
check 'grep -q "write of register 2011 = 0" "$tmp/sim-clean.log"' "bluetti-sim logged the write of 0 to 2011"
# the simulator keeps it: a later read (a new connection) shows it
tool 1000000001 read --blocks 2000
check '[ $rc -eq 0 ] && grep -Eq "^  ctrl_ac +0 +off" "$out"' "a later read shows ctrl_ac off"
tool 1000000001 set ctrl_ac on --yes
check '[ $rc -eq 0 ] && grep -q "off (0) -> on (1): applied" "$out"' "set ctrl_ac on reads back on"
# refused values never reach the simulator
tool 1000000001 set soc_high_limit 101 --yes --allow-unverified
check '[ $rc -eq 6 ] && grep -q "out of range" "$err"' "an out-of-range value is refused (exit 6)"
tool 1000000001 set ctrl_ac maybe --yes
check '[ $rc -eq 6 ]' "an unknown value name is refused (exit 6)"
tool 1000000001 set ctrl_ac off
check '[ $rc -eq 6 ] && grep -q "give --yes" "$err"' "no --yes without a terminal: refused"
tool 1000000001 set ctrl_ac off --dry-run
check '[ $rc -eq 0 ] && grep -q "frame 01 06 07 db 00 00 f8 85; nothing sent" "$out"' "dry run prints the frame"
check '[ "$(writes_seen clean)" -eq 2 ]' "the refused and dry-run writes never reached bluetti-sim"
# the device refuses: exception 3 comes back through the broker
tool 1000000002 set ctrl_ac off --yes
check '[ $rc -eq 1 ] && grep -q "exception 3" "$err"' "an exception reply is exit 1 naming the code"
check '[ "$(writes_seen refuse)" -eq 1 ]' "the refused write was sent once, not retried"
tool 1000000002 read --blocks 2000
check '[ $rc -eq 0 ] && grep -Eq "^  ctrl_ac +1 +on" "$out"' "after the exception ctrl_ac is still on"

status=0
for name in clean refuse; do
    eval "pid=\$sim_$name"
    bt_sim_ends mqtt-set.sh "$pid" "$tmp/sim-$name.log" || status=1
done
sims=
[ $failures -eq 0 ] && [ $status -eq 0 ] || fail "$failures check(s) failed"
exit 0

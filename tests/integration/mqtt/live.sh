#!/bin/sh
# Live cloud mode of transport-mqtt (docs/protocol/transport-mqtt-live.md):
# a throw-away PKI (tests/integration/mqtt/mkcerts.sh plus a broker certificate with a
# 1880-bit RSA key, as the cloud broker has), Debian's mosquitto with four
# TLS listeners, two bluetti-sim processes (one --live with devices in the
# new, old and raw envelopes and at Modbus address 0, one with the older
# reference's topics), then tests/integration/mqtt/test_mqtt_live. Everything started here
# is stopped again. BT_MQTT_KEEP=1 keeps the temporary directory.
set -u

B=${BLUETTI_TEST_BUILDDIR:-.}
S=${BLUETTI_TEST_SRCDIR:-.}
WRAP=${BLUETTI_TEST_WRAPPER:-}
OPENSSL_BIN=${OPENSSL_BIN:-openssl}
. "$S/tests/shlib.sh"
bt_find_mosquitto || MOSQ= # the check below names what is missing
PASSWD=$(command -v mosquitto_passwd 2>/dev/null || echo /usr/bin/mosquitto_passwd)
for prog in "$MOSQ" "$PASSWD"; do
    if [ ! -x "$prog" ]; then
        echo "live.sh: the live MQTT tests need Debian's mosquitto (apt-get install mosquitto)" >&2
        exit 1
    fi
done
export OPENSSL_BIN
so=$B/tests/integration/mqtt/.libs/taken_plugin.so
if [ ! -f "$so" ]; then
    echo "live.sh: $so is not built (make check builds it)" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bluetti-live.XXXXXX") || exit 1
chmod 755 "$tmp"
pki=$tmp/pki
mkdir -p "$pki" "$tmp/lib"
# a copy the broker's user can read, wherever the build tree is
plugin=$tmp/lib/taken_plugin.so
cp "$so" "$plugin"
chmod 755 "$tmp/lib" "$plugin"
broker=
sims=

cleanup() {
    trap - EXIT INT TERM
    for p in $sims $broker; do kill -TERM "$p" 2>/dev/null; done
    n=0
    while [ $n -lt 100 ]; do
        alive=
        for p in $sims $broker; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ -z "$alive" ] && break
        sleep 0.1
        n=$((n + 1))
    done
    for p in $sims $broker; do kill -KILL "$p" 2>/dev/null; done
    if [ -n "${BT_MQTT_KEEP:-}" ]; then echo "live.sh: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { bt_fail_logs live.sh "$tmp" 30 "$@"; }

# ---- certificates ------------------------------------------------------------
BT_MQTT_PASSWORD="pw-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export BT_MQTT_PASSWORD
sh "$S/tests/integration/mqtt/mkcerts.sh" "$pki" || fail "making the test certificates failed"
(
    cd "$pki" || exit 1
    # the cloud broker's key size: OpenSSL's default security level refuses it
    "$OPENSSL_BIN" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1880 -out weak.key &&
    printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n' > weak.ext &&
    "$OPENSSL_BIN" req -new -key weak.key -subj "/O=bluetti tests/CN=localhost" -out weak.csr &&
    "$OPENSSL_BIN" x509 -req -in weak.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 \
        -days 2 -extfile weak.ext -out weak.crt
) >> "$pki/openssl.log" 2>&1 || fail "making the 1880-bit broker certificate failed"
chmod 644 "$pki"/*.key "$pki"/*.crt
# what a user would pin: SHA-256 of the broker key's DER SubjectPublicKeyInfo
BT_LIVE_PIN_OTHERCA=$("$OPENSSL_BIN" x509 -in "$pki/other-server.crt" -pubkey -noout |
    "$OPENSSL_BIN" pkey -pubin -outform DER | "$OPENSSL_BIN" dgst -sha256 -r | cut -c1-64)
export BT_LIVE_PIN_OTHERCA
[ ${#BT_LIVE_PIN_OTHERCA} -eq 64 ] || fail "cannot compute the broker key pin"

# mosquitto's own password file: the app and the simulated devices
"$PASSWD" -c -b "$tmp/passwd" app apppw > /dev/null 2>&1 || fail "mosquitto_passwd failed"
"$PASSWD" -b "$tmp/passwd" device devpw > /dev/null 2>&1 || fail "mosquitto_passwd failed"
# the time-based password of the CLOUD test vector (token parts EXAMPLEPART0 and
# EXAMPLESID, server time 1777630585000): test_mqtt_live sets clock_offset_ms so
# the connect happens in that 30-second step, and then in the next one
"$PASSWD" -b "$tmp/passwd" totp-user 75837507 > /dev/null 2>&1 || fail "mosquitto_passwd failed"
chmod 644 "$tmp/passwd"
printf 'devpw\n' > "$tmp/device.pw"
chmod 600 "$tmp/device.pw"

# ---- the broker --------------------------------------------------------------
BT_LIVE_TAKEN_FILE=$tmp/taken
BT_LIVE_COUNT_FILE=$tmp/refusals
: > "$BT_LIVE_COUNT_FILE"
chmod 777 "$tmp"
chmod 666 "$BT_LIVE_COUNT_FILE"
export BT_LIVE_TAKEN_FILE BT_LIVE_COUNT_FILE
write_conf() {
    cat > "$tmp/mosquitto.conf" <<EOF
per_listener_settings true
persistence false
log_dest stderr
log_type all
listener $1 127.0.0.1
cafile $pki/ca.crt
certfile $pki/server.crt
keyfile $pki/server.key
require_certificate true
password_file $tmp/passwd
listener $2 127.0.0.1
cafile $pki/ca.crt
certfile $pki/weak.crt
keyfile $pki/weak.key
require_certificate true
allow_anonymous true
ciphers DEFAULT:@SECLEVEL=1
listener $3 127.0.0.1
cafile $pki/ca.crt
certfile $pki/other-server.crt
keyfile $pki/other-server.key
require_certificate true
allow_anonymous true
listener $4 127.0.0.1
cafile $pki/ca.crt
certfile $pki/server.crt
keyfile $pki/server.key
require_certificate true
plugin $plugin
plugin_opt_taken_file $BT_LIVE_TAKEN_FILE
plugin_opt_count_file $BT_LIVE_COUNT_FILE
EOF
    chmod 644 "$tmp/mosquitto.conf"
}

wait_for() { bt_wait_for "$@"; }

# No fixed port: four at random (base to base + 3), tried again when taken.
bt_start_broker4 "$MOSQ" "$tmp/mosquitto.conf" "$tmp/broker.log" write_conf ||
    fail "mosquitto would not start (see broker.log)"
broker=$bt_broker
base=$bt_port
BT_LIVE_PORT_AUTH=$base
BT_LIVE_PORT_WEAK=$((base + 1))
BT_LIVE_PORT_OTHERCA=$((base + 2))
BT_LIVE_PORT_TAKEN=$((base + 3))
export BT_LIVE_PORT_AUTH BT_LIVE_PORT_WEAK BT_LIVE_PORT_OTHERCA BT_LIVE_PORT_TAKEN

# ---- the simulated devices -----------------------------------------------------
D=$S/data/devices
sed 's/"envelope": "new"/"envelope": "old"/' "$D/el100v2.json" > "$tmp/old.json"
sed 's/"envelope": "new"/"envelope": "raw"/' "$D/el100v2.json" > "$tmp/raw.json"
sed 's/"address": 1,/"address": 0,/' "$D/el100v2.json" > "$tmp/addr0.json"
grep -q '"envelope": "old"' "$tmp/old.json" && grep -q '"envelope": "raw"' "$tmp/raw.json" &&
    grep -q '"address": 0' "$tmp/addr0.json" ||
    fail "cannot derive the test device images from $D/el100v2.json"
start_sim() {
    name=$1
    shift
    bt_start_sim "$name" "$tmp" "$BT_LIVE_PORT_AUTH" "$pki/sim.p12" \
        --mqtt-username device --mqtt-password-file "$tmp/device.pw" "$@"
}
start_sim live --live --device "$D/el100v2.json" --sn 1000000001 --device "$tmp/old.json" \
    --sn 1000000002 --device "$tmp/raw.json" --sn 1000000003 --device "$tmp/addr0.json" \
    --sn 1000000004
start_sim plain --device "$D/el100v2.json" --sn 1000000005
for name in live plain; do
    eval "pid=\$sim_$name"
    wait_for "$tmp/$name.ready" device 60 "$pid" || fail "bluetti-sim ($name) did not get ready"
done
grep -q "SUB/EL100V2/1000000001 (QoS" "$tmp/broker.log" ||
    fail "bluetti-sim --live did not subscribe to SUB/EL100V2/1000000001"

# ---- the tests -------------------------------------------------------------------
export BT_LIVE_DIR="$pki"
status=0
for suite in unit live; do
    (cd "$tmp" && $WRAP "$B/tests/integration/mqtt/test_mqtt_live" $suite) || status=1
done

for name in live plain; do
    eval "pid=\$sim_$name"
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"
    st=$?
    if [ $st -ne 0 ]; then
        echo "live.sh: bluetti-sim ($name) exited with status $st after SIGTERM" >&2
        tail -n 30 "$tmp/sim-$name.log" >&2
        status=1
    fi
done
sims=
kill -TERM $broker 2>/dev/null
wait $broker 2>/dev/null
broker=
[ $status -eq 0 ] || fail "live MQTT tests failed"
exit 0

# Shared start/stop code for the cloud tests; source it (. harness.sh).
#
#   cloud_init NAME          temporary directory $CT (kept with BT_CLOUD_KEEP=1),
#                            cleanup of everything started, fail()
#   cloud_pki                tests/integration/mqtt/mkcerts.sh --cloud into $CT/pki, the password in
#                            $BT_CLOUD_PFX_PASSWORD
#   cloud_start_broker       Debian's mosquitto on a free loopback port with a
#                            TLS listener (client certificate required) and the
#                            auth plugin reading $CT/tokens: $CLOUD_MQTT_PORT
#   cloud_write_config FILE  the standard test accounts (below), announcing
#                            the broker started before
#   cloud_start_api FILE     bluetti-sim --cloud FILE on a free port:
#                            $CLOUD_API_PORT, $CLOUD_API_PID
#   cloud_tool_env           for driving bluetti-tool against that API: $API,
#                            $CA, $TOOL, $PLUG, BLUETTI_CLOUD_LIBRARY, and no
#                            password from the caller's environment
#   cloud_start_station NAME IMAGE SUBSN SECRET
#                            a bluetti-sim --live station on the broker,
#                            ready when this returns; its pid in $pid_NAME
#   cloud_stop PID NAME      SIGTERM, and the process must exit with status 0
#
# The standard accounts (cloud_write_config):
#   alice@example.com  Alice-pw-1  uid 1001  EL100V2 2345000223861 (online,
#                      device secret dev-secret-1) and AC300 2237000112233
#                      (offline, protocol 1000, iotConnSecret conn-secret-ac300)
#   bob@example.com    Bob-pw-2    uid 1002  only the SHA-256 is configured;
#                      token ttl 2 s; EL30V2 2345000000002 (dev-secret-2)
#   carol@example.com  Carol-pw-3  uid 1003  certificate revoked
#   dave@example.com   Dave-pw-4   uid 1004  MQTT session taken by another client
#   erin@example.com   Erin-pw-5   uid 1005  the cloud's clock is 90 s ahead
# shellcheck shell=sh

B=${BLUETTI_TEST_BUILDDIR:-.}
S=${BLUETTI_TEST_SRCDIR:-.}
WRAP=${BLUETTI_TEST_WRAPPER:-}
OPENSSL_BIN=${OPENSSL_BIN:-openssl}
export OPENSSL_BIN
TOTP="$B/tests/integration/cloud/totp_tool"
CLOUD_PIDS=

cloud_init() {
    CT=$(mktemp -d "${TMPDIR:-/tmp}/bluetti-$1.XXXXXX") || exit 1
    chmod 755 "$CT"
    trap cloud_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

cloud_cleanup() {
    trap - EXIT INT TERM
    for p in $CLOUD_PIDS; do kill -TERM "$p" 2>/dev/null; done
    n=0
    while [ $n -lt 100 ]; do
        alive=
        for p in $CLOUD_PIDS; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ -z "$alive" ] && break
        sleep 0.1
        n=$((n + 1))
    done
    for p in $CLOUD_PIDS; do kill -KILL "$p" 2>/dev/null; done
    if [ -n "${BT_CLOUD_KEEP:-}" ]; then echo "harness: kept $CT"; else rm -rf "$CT"; fi
}

. "$S/tests/shlib.sh"
fail() { bt_fail_logs harness "$CT" 30 "$@"; }

need() {
    command -v "$1" >/dev/null 2>&1 || fail "the cloud tests need $1 (apt-get install $2)"
}

# Wait (up to $3 seconds) until file $1 contains $2 while process $4 lives.
cloud_wait_for() { bt_wait_for "$@"; }

cloud_pki() {
    need "$OPENSSL_BIN" openssl
    mkdir -p "$CT/pki"
    BT_CLOUD_PFX_PASSWORD="pfx-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    export BT_CLOUD_PFX_PASSWORD
    sh "$S/tests/integration/mqtt/mkcerts.sh" --cloud "$CT/pki" || fail "making the test PKI failed (see $CT/pki/openssl.log)"
}

# The broker's config for port $1 (bt_start_broker's writer).
cloud_broker_conf() {
    port=$1
    cat > "$CT/mosquitto.conf" <<EOF
per_listener_settings false
persistence false
log_dest stderr
log_type all
allow_anonymous false
plugin $CT/lib/auth_plugin.so
plugin_opt_tokens_file $CT/tokens
listener $port 127.0.0.1
cafile $CT/pki/ca.crt
certfile $CT/pki/broker.crt
keyfile $CT/pki/broker.key
require_certificate true
use_identity_as_username false
EOF
}

cloud_start_broker() {
    bt_find_mosquitto || fail "the cloud tests need Debian's mosquitto broker (apt-get install mosquitto)"
    so="$B/tests/integration/cloud/.libs/auth_plugin.so"
    [ -f "$so" ] || fail "no $so: run make check (it builds the plugin)"
    # a copy the broker's user can read, wherever the build tree is
    mkdir -p "$CT/lib"
    cp "$so" "$CT/lib/auth_plugin.so"
    chmod 755 "$CT/lib" "$CT/lib/auth_plugin.so"
    bt_start_broker "$MOSQ" "$CT/mosquitto.conf" "$CT/broker.log" cloud_broker_conf &&
        CLOUD_MQTT_PID=$bt_broker && port=$bt_port || CLOUD_MQTT_PID=
    [ -n "$CLOUD_MQTT_PID" ] || fail "mosquitto would not start (see broker.log)"
    CLOUD_PIDS="$CLOUD_PIDS $CLOUD_MQTT_PID"
    CLOUD_MQTT_PORT=$port
    export CLOUD_MQTT_PORT
}

# cloud_add_account CONFIG JSON: append one account (a JSON object: email,
# password, uid, token_ttl, devices) to a configuration cloud_write_config
# wrote.
cloud_add_account() {
    python3 - "$1" "$2" <<'PYEOF' || fail "adding an account to $1 failed"
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["accounts"].append(json.loads(sys.argv[2]))
json.dump(d, open(p, "w"), indent=1)
PYEOF
}

cloud_write_config() {
    bob_hash=$("$TOTP" hash Bob-pw-2) || fail "totp_tool hash failed"
    cat > "$1" <<EOF
{
  "iot_server": "127.0.0.1:${CLOUD_MQTT_PORT:-18760}",
  "tokens_file": "$CT/tokens",
  "pfx": "$CT/pki/client.p12",
  "pfx_password": "$BT_CLOUD_PFX_PASSWORD",
  "accounts": [
    { "email": "alice@example.com", "password": "Alice-pw-1", "uid": "1001",
      "devices": [
        { "model": "EL100V2", "subSn": "2345000223861", "group": "Home",
          "deviceSecret": "dev-secret-1" },
        { "model": "AC300", "subSn": "2237000112233", "online": false,
          "factoryProtocolVer": "1000", "iotPayloadVer": "1.0",
          "iotConnSecret": "conn-secret-ac300" } ] },
    { "email": "bob@example.com", "password_sha256": "$bob_hash", "uid": "1002",
      "token_ttl": 2,
      "devices": [ { "model": "EL30V2", "subSn": "2345000000002", "deviceSecret": "dev-secret-2" } ] },
    { "email": "carol@example.com", "password": "Carol-pw-3", "uid": "1003", "revoked": true },
    { "email": "dave@example.com", "password": "Dave-pw-4", "uid": "1004", "session_taken": true,
      "devices": [ { "model": "EL100V2", "subSn": "2345000000004" } ] },
    { "email": "erin@example.com", "password": "Erin-pw-5", "uid": "1005",
      "clock_offset_ms": 90000 }
  ]
}
EOF
}

cloud_start_api() {
    rm -f "$CT/api.ready"
    $WRAP "$B/tools/bluetti-sim" --cloud "$1" --cloud-cert "$CT/pki/cloud.crt" \
        --cloud-key "$CT/pki/cloud.key" --cloud-port 0 --ready-file "$CT/api.ready" \
        > "$CT/api.log" 2>&1 &
    CLOUD_API_PID=$!
    CLOUD_PIDS="$CLOUD_PIDS $CLOUD_API_PID"
    cloud_wait_for "$CT/api.ready" '^port ' 60 $CLOUD_API_PID ||
        fail "bluetti-sim --cloud did not get ready (see api.log)"
    CLOUD_API_PORT=$(sed -n 's/^port //p' "$CT/api.ready")
    export CLOUD_API_PORT
}

cloud_tool_env() {
    API="https://127.0.0.1:$CLOUD_API_PORT"
    CA="$CT/pki/ca.crt"
    BLUETTI_CLOUD_LIBRARY=${BLUETTI_CLOUD_LIBRARY:-$B/core/cloud/.libs/libbluetti-cloud.so}
    export BLUETTI_CLOUD_LIBRARY
    unset BLUETTI_ACCOUNT_PASSWORD BLUETTI_CERT_PASSWORD
    TOOL="$B/tools/bluetti-tool"
    PLUG="--no-plugin-search --plugin-dir ${BLUETTI_TEST_PLUGIN_DIR:-$B/plugins/.libs}"
}

cloud_start_station() {
    BLUETTI_CERT_PASSWORD=$BT_CLOUD_PFX_PASSWORD BLUETTI_MQTT_PASSWORD=$4 \
        $WRAP "$B/tools/bluetti-sim" --live --broker 127.0.0.1 --port "$CLOUD_MQTT_PORT" \
        --cert "$CT/pki/device.p12" --cafile "$CT/pki/ca.crt" --mqtt-username "device:$3" \
        --device "$2" --sn "$3" --ready-file "$CT/$1.ready" > "$CT/$1.log" 2>&1 &
    eval "pid_$1=\$!"
    CLOUD_PIDS="$CLOUD_PIDS $!"
    cloud_wait_for "$CT/$1.ready" device 60 $! || fail "station $1 did not get ready"
}

cloud_stop() {
    kill -TERM "$1" 2>/dev/null
    wait "$1"
    st=$?
    [ $st -eq 0 ] || fail "$2 exited with status $st after SIGTERM"
}

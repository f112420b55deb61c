#!/bin/sh
# transport-mqtt with cloud_profile=PATH against the simulated cloud: the
# harness of tests/cloud (bluetti-sim --cloud, mosquitto with the auth
# plugin that checks tid:<sid> and the time-based password), a bluetti-sim
# --live station of alice's, stored logins made by `bluetti-tool login`,
# then tests/integration/mqtt/test_mqtt_live's "profile" suite: a read through the stored
# login, a renewed login when the token ran out, a session held by another
# client, no stored login; and bluetti-tool's --sn read through the stored
# login, which must decode as the in-process simulator does.
set -u
S=${BLUETTI_TEST_SRCDIR:-.}
. "$S/tests/integration/cloud/harness.sh"

cloud_init cloudprof
cloud_pki
cloud_start_broker
cloud_write_config "$CT/cloud.json"
cloud_start_api "$CT/cloud.json"
api="https://127.0.0.1:$CLOUD_API_PORT"

# alice's station, with its own device credentials from the tokens file
BLUETTI_CERT_PASSWORD=$BT_CLOUD_PFX_PASSWORD BLUETTI_MQTT_PASSWORD=dev-secret-1 \
    $WRAP "$B/tools/bluetti-sim" --live --broker 127.0.0.1 --port "$CLOUD_MQTT_PORT" \
    --cert "$CT/pki/device.p12" --cafile "$CT/pki/ca.crt" \
    --mqtt-username device:2345000223861 --device "$S/data/devices/el100v2.json" \
    --sn 2345000223861 --ready-file "$CT/station.ready" > "$CT/station.log" 2>&1 &
station=$!
CLOUD_PIDS="$CLOUD_PIDS $station"
cloud_wait_for "$CT/station.ready" device 60 $station || fail "the station did not get ready"

# login NAME EMAIL PASSWORD: a stored login in $CT/NAME/bluetti
login() {
    mkdir -p "$CT/$1"
    chmod 700 "$CT/$1"
    XDG_CONFIG_HOME="$CT/$1" BLUETTI_ACCOUNT_PASSWORD=$3 $WRAP "$B/tools/bluetti-tool" \
        login --account "$2" --api-url "$api" --cafile "$CT/pki/ca.crt" \
        > "$CT/login-$1.log" 2>&1 || fail "bluetti-tool login $2 failed"
    [ -f "$CT/$1/bluetti/cloud-profile.json" ] || fail "no stored login for $2"
}
login alice alice@example.com Alice-pw-1
login bob bob@example.com Bob-pw-2
login dave dave@example.com Dave-pw-4
sleep 3 # bob's token lives 2 s

export BT_PROF_PORT=$CLOUD_MQTT_PORT BT_PROF_CA=$CT/pki/ca.crt
export BT_PROF_ALICE=$CT/alice/bluetti/cloud-profile.json
export BT_PROF_BOB=$CT/bob/bluetti/cloud-profile.json
export BT_PROF_DAVE=$CT/dave/bluetti/cloud-profile.json
status=0
(cd "$CT" && $WRAP "$B/tests/integration/mqtt/test_mqtt_live" profile) || status=1

# The whole path a user takes, from the tool: after `login`, `--sn SUBSN
# read` goes through the broker (TLS, tid:<sid> and the time-based
# password the auth plugin checks, the live topics, the new envelope) to
# the station, and decodes exactly what the in-process simulator gives for
# the same device image.
P="--no-plugin-search --plugin-dir ${BLUETTI_TEST_PLUGIN_DIR:-$B/plugins/.libs}"
BLUETTI_CLOUD_LIBRARY=${BLUETTI_CLOUD_LIBRARY:-$B/core/cloud/.libs/libbluetti-cloud.so}
export BLUETTI_CLOUD_LIBRARY
# shellcheck disable=SC2086
XDG_CONFIG_HOME="$CT/alice" $WRAP "$B/tools/bluetti-tool" --no-config $P --sn 2345000223861 \
    read --blocks 100,1300,6000 > "$CT/cloud-read.out" 2> "$CT/cloud-read.err" || {
    echo "FAIL: bluetti-tool --sn 2345000223861 read through the stored login:" >&2
    cat "$CT/cloud-read.err" >&2
    status=1
}
# shellcheck disable=SC2086
$WRAP "$B/tools/bluetti-tool" --no-config $P --transport sim \
    --sim-device "$S/data/devices/el100v2.json" --sn 2345000223861 --model EL100V2 \
    read --blocks 100,1300,6000 > "$CT/sim-read.out" 2> "$CT/sim-read.err" || {
    echo "FAIL: the same read through --transport sim:" >&2
    cat "$CT/sim-read.err" >&2
    status=1
}
if ! grep -q '^  soc ' "$CT/cloud-read.out"; then
    echo "FAIL: the read through the cloud printed no values" >&2
    status=1
elif ! cmp -s "$CT/cloud-read.out" "$CT/sim-read.out"; then
    echo "FAIL: the cloud read and the sim read decode differently:" >&2
    diff "$CT/sim-read.out" "$CT/cloud-read.out" >&2
    status=1
else
    echo "ok: login, then --sn read through the cloud decodes as --transport sim"
fi
cloud_stop $station "the station (bluetti-sim --live)"
[ $status -eq 0 ] || fail "cloud_profile tests failed"
exit 0

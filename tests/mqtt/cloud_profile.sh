#!/bin/sh
# transport-mqtt with cloud_profile=PATH against the simulated cloud: the
# harness of tests/cloud (bluetti-sim --cloud, mosquitto with the auth
# plugin that checks tid:<sid> and the time-based password), a bluetti-sim
# --live station of alice's, stored logins made by `bluetti-tool login`,
# then tests/test_mqtt_live's "profile" suite: a read through the stored
# login, a renewed login when the token ran out, a session held by another
# client, no stored login.
set -u
S=${BLUETTI_TEST_SRCDIR:-.}
. "$S/tests/cloud/harness.sh"

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
(cd "$CT" && $WRAP "$B/tests/test_mqtt_live" profile) || status=1
cloud_stop $station "the station (bluetti-sim --live)"
[ $status -eq 0 ] || fail "cloud_profile tests failed"
exit 0

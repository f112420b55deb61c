#!/bin/sh
# bluetti-bridge through a stored cloud login (docs/BRIDGE.md, "A stored
# cloud login"): `bluetti-tool login` writes the profile, a [source] with
# transport = mqtt and cloud_profile = PATH reads two stations of different
# models (bluetti-sim --live on the TOTP broker of the cloud harness,
# bluetti-sim --cloud as the account API) and the bridge publishes to a
# plain mosquitto. Checked:
#   - both states arrive with the values bluetti-tool decodes from the
#     same images, the model given and the model read (model = auto);
#   - the account's tokens live 3 s: after the first token expired the
#     source broker is killed and restarted, and the transport logs in
#     again by itself (a second POST /accessToken), the new broker takes
#     the CONNECT, and both stations publish again;
#   - a cloud_profile that does not exist: --check-config names the line
#     and exits 2; one that exists but holds no login: the bridge runs,
#     logs why the session cannot open (the file, log in again) and the
#     bridge's health says it; a login stored there then is taken up.
set -u
S=${BLUETTI_TEST_SRCDIR:-.}
. "$S/tests/integration/cloud/harness.sh"
need python3 python3
need mosquitto_sub mosquitto-clients

cloud_init bridge
cloud_pki
cloud_start_broker
cloud_write_config "$CT/cloud.json"
# gus: two stations of different models; tokens live 3 s (renewed at every
# connect, so an expired one is never offered)
cloud_add_account "$CT/cloud.json" '{"email": "gus@example.com", "password": "Gus-pw-7", "uid": "1007",
    "token_ttl": 3,
    "devices": [{"model": "EL100V2", "subSn": "2345000000011",
    "deviceSecret": "dev-secret-11"},
    {"model": "ELITE200V2", "subSn": "2401000000012",
    "deviceSecret": "dev-secret-12"}]}'
cloud_start_api "$CT/cloud.json"
cloud_tool_env
cloud_start_station el100 "$S/data/devices/el100v2.json" 2345000000011 dev-secret-11
cloud_start_station elite200 "$S/data/devices/elite200v2.json" 2401000000012 dev-secret-12

mkdir -p "$CT/gus"
chmod 700 "$CT/gus"
# shellcheck disable=SC2086
XDG_CONFIG_HOME="$CT/gus" $WRAP "$TOOL" --no-config $PLUG login --account gus@example.com \
    --account-password Gus-pw-7 --api-url "$API" --cafile "$CA" > "$CT/login.log" 2>&1 </dev/null ||
    fail "bluetti-tool login of gus failed: $(cat "$CT/login.log")"
profile=$CT/gus/bluetti/cloud-profile.json
[ -f "$profile" ] || fail "bluetti-tool login wrote no $profile"

# ---- the target: a plain mosquitto ---------------------------------------------------
target_conf() {
    { bt_broker_conf; printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$1"; } > "$CT/target.conf"
}
bt_start_broker "$MOSQ" "$CT/target.conf" "$CT/target.log" target_conf || fail "the target broker would not start"
CLOUD_PIDS="$CLOUD_PIDS $bt_broker"
TP=$bt_port

write_config() { # FILE PROFILE
    cat > "$1" <<CONF
[bridge]
missed_polls = 20
health_interval = 1

[target]
broker = 127.0.0.1
port = $TP
keepalive = 5

[source cloud]
transport = mqtt
broker = 127.0.0.1
port = $CLOUD_MQTT_PORT
cafile = $CA
cloud_profile = $2
keepalive = 5

[device garage]
serial = EL100V2:2345000000011
model = EL100V2
interval = 0.5

[device shed]
serial = ELITE200V2:2401000000012
model = auto
interval = 0.5
CONF
}
BRIDGE="$B/tools/bluetti-bridge --plugin-dir ${BLUETTI_TEST_PLUGIN_DIR:-$B/plugins/.libs}"
write_config "$CT/bridge.conf" "$profile"
# shellcheck disable=SC2086 # command lines
$WRAP $BRIDGE -c "$CT/bridge.conf" --check-config > /dev/null 2> "$CT/check.log" ||
    fail "--check-config refused the test config: $(cat "$CT/check.log")"

mosquitto_sub -h 127.0.0.1 -p "$TP" -v -t 'bluetti/#' > "$CT/sub.txt" 2> "$CT/sub.log" &
CLOUD_PIDS="$CLOUD_PIDS $!"
logins() { grep -c 'POST /accessToken' "$CT/api.log"; }
before=$(logins)
# shellcheck disable=SC2086
$WRAP $BRIDGE -c "$CT/bridge.conf" -v > /dev/null 2> "$CT/bridge.log" &
br=$!
CLOUD_PIDS="$CLOUD_PIDS $br"

# ---- the states, as bluetti-tool decodes the images --------------------------------
for sn in EL100V2:2345000000011 ELITE200V2:2401000000012; do
    bt_wait_for "$CT/sub.txt" "^bluetti/$sn/state {" 20 $br || fail "no state of $sn on the target"
    bt_wait_for "$CT/sub.txt" "^bluetti/$sn/availability online" 10 $br || fail "$sn is not online"
done
[ "$(logins)" -gt "$before" ] || fail "the bridge's first connect did not log in (the token had expired)"
for m in EL100V2:2345000000011:el100v2 ELITE200V2:2401000000012:elite200v2; do
    image=$S/data/devices/${m##*:}.json
    m=${m%:*}
    model=${m%%:*}
    # shellcheck disable=SC2086
    out=$($WRAP "$TOOL" $PLUG --no-config --transport sim --sim-device "$image" --model "$model" \
        read --blocks 100 2>&1) || fail "bluetti-tool read $model: $out"
    state=$(grep "^bluetti/$m/state " "$CT/sub.txt" | tail -n 1)
    printf '%s' "$state" | grep -q "\"model\":\"$model\"" || fail "$m is not a $model: $state"
    for f in soc pack_voltage ac_output_power; do
        v=$(printf '%s\n' "$out" | awk -v f="$f" '$1 == f { print $2 }')
        [ -n "$v" ] || fail "bluetti-tool printed no $f for $model"
        printf '%s' "$state" | grep -qF "\"$f\":${v}," ||
            printf '%s' "$state" | grep -qF "\"$f\":${v}}" || fail "$m: $f is not $v: $state"
    done
done
bt_wait_for "$CT/sub.txt" '^bluetti/bridge/bridge/health {.*"open":true,"devices":2,"last_error":null' 10 $br ||
    fail "the bridge's health does not show the cloud session open with 2 devices"

# ---- the token expires, the source broker restarts: a new login ---------------------
n=0
while grep -q '^[0-9a-f]* [0-9a-f]* gus@example.com' "$CT/tokens"; do
    [ $n -lt 200 ] || fail "gus's token did not expire"
    sleep 0.05
    n=$((n + 1))
done
mid=$(logins)
kill -KILL "$CLOUD_MQTT_PID"
wait "$CLOUD_MQTT_PID" 2>/dev/null
"$MOSQ" -c "$CT/mosquitto.conf" > "$CT/broker2.log" 2>&1 &
CLOUD_MQTT_PID=$!
CLOUD_PIDS="$CLOUD_PIDS $CLOUD_MQTT_PID"
cloud_wait_for "$CT/broker2.log" " running" 10 "$CLOUD_MQTT_PID" ||
    fail "mosquitto would not start again on port $CLOUD_MQTT_PORT"
mark=$(wc -l < "$CT/sub.txt")
for sn in EL100V2:2345000000011 ELITE200V2:2401000000012; do
    bt_wait_after "$CT/sub.txt" "$mark" "^bluetti/$sn/state {" 30 $br ||
        fail "no state of $sn after the source broker restarted"
done
[ "$(logins)" -gt "$mid" ] ||
    fail "no new POST /accessToken after the token expired ($(logins) in all, $mid before the restart)"
grep -q "u'tid:" "$CT/broker2.log" || fail "the restarted broker saw no tid: connection"
if grep -q 'bluetti-auth: refused' "$CT/broker2.log"; then
    fail "the restarted broker refused a CONNECT: $(grep 'bluetti-auth: refused' "$CT/broker2.log")"
fi
kill -TERM $br
wait $br
st=$?
[ $st -eq 0 ] || fail "the bridge exited $st after SIGTERM"

# ---- a bad profile -------------------------------------------------------------------
write_config "$CT/missing.conf" "$CT/nobody/bluetti/cloud-profile.json"
line=$(grep -n '^cloud_profile' "$CT/missing.conf" | cut -d: -f1)
st=0
# shellcheck disable=SC2086
$WRAP $BRIDGE -c "$CT/missing.conf" --check-config > /dev/null 2> "$CT/missing.log" || st=$?
[ $st -eq 2 ] || fail "--check-config with a cloud_profile that does not exist: exit $st, not 2"
grep -q "missing.conf:$line: cloud_profile: '.*/nobody/bluetti/cloud-profile.json' cannot be read" \
    "$CT/missing.log" || fail "--check-config did not name the missing profile: $(cat "$CT/missing.log")"
# a file, but no stored login: only opening the session finds out
mkdir -m 700 "$CT/junk"
printf '{"not": "a login"}\n' > "$CT/junk/cloud-profile.json"
chmod 600 "$CT/junk/cloud-profile.json"
write_config "$CT/junk.conf" "$CT/junk/cloud-profile.json"
# shellcheck disable=SC2086
$WRAP $BRIDGE -c "$CT/junk.conf" --check-config > /dev/null 2> "$CT/junk-check.log" ||
    fail "--check-config of a readable cloud_profile: $(cat "$CT/junk-check.log")"
mark=$(wc -l < "$CT/sub.txt")
# shellcheck disable=SC2086
$WRAP $BRIDGE -c "$CT/junk.conf" > /dev/null 2> "$CT/junk.log" &
br=$!
CLOUD_PIDS="$CLOUD_PIDS $br"
bt_wait_for "$CT/junk.log" "source cloud: cannot open the mqtt session: .*junk/cloud-profile.json is damaged.*log in again" 10 $br ||
    fail "no warning naming the profile that holds no login and saying to log in again"
# (the cloud was not asked: its "try again later" would mislead)
grep -q "try again later" "$CT/junk.log" && fail "the warning about a damaged profile blames the cloud: $(cat "$CT/junk.log")"
bt_wait_after "$CT/sub.txt" "$mark" \
    '^bluetti/bridge/bridge/health {.*"open":false,"devices":2,"last_error":"cannot open the mqtt session: .*junk/cloud-profile.json' 10 $br ||
    fail "the bridge's health does not carry the session's error"
# a login stored there mends it: the next try of the session reads it
cp -p "$CT/gus/bluetti/"* "$CT/junk/"
mark=$(wc -l < "$CT/sub.txt")
bt_wait_after "$CT/sub.txt" "$mark" "^bluetti/EL100V2:2345000000011/state {" 20 $br ||
    fail "the bridge did not take up the login stored after it started"
kill -TERM $br
wait $br
st=$?
[ $st -eq 0 ] || fail "the bridge with a bad profile exited $st after SIGTERM"

cloud_stop "$pid_el100" "the EL100V2 station"
cloud_stop "$pid_elite200" "the ELITE200V2 station"
cloud_stop "$CLOUD_API_PID" "bluetti-sim --cloud"
echo "bridge.sh: all passed"
exit 0

#!/bin/sh
# bluetti-bridge control from Home Assistant, on a real target broker:
# a device on bluetti-sim over MQTT (source broker with TLS client
# certificates) and one on the in-process sim with control = yes, one
# without. Checked: discovery has switch/select/number entities with
# command topics only for the control devices (unverified fields only with
# control_unverified); an ON/OFF command on the command topic changes the
# simulator's register (bluetti-sim's log, the sim's frame log) and the
# published state follows; a number command likewise; a bad payload, a
# field not offered and a device without control send nothing (no write
# frame, no write in the sim's log) and are logged; of a burst of commands
# while a slow device's read is in flight only the newest is written.
# BT_BRIDGE_KEEP=1 keeps the files.
set -u
S=${BLUETTI_TEST_SRCDIR:-.}
. "$S/tests/shlib.sh"
B=${BLUETTI_TEST_BUILDDIR:-.}
WRAP=${BLUETTI_TEST_WRAPPER:-}
OPENSSL_BIN=${OPENSSL_BIN:-openssl}
export OPENSSL_BIN
. "$S/tests/integration/bridge/lib.sh"
br_need control.sh mosquitto_sub mosquitto_pub

bt_scratch bluetti-bridge-ctl "${BT_BRIDGE_KEEP:-}"
fail() { bt_fail_logs control.sh "$tmp" 25 "$@"; }
br_pki

src_conf() {
    { bt_broker_conf; bt_tls_listener "$1" "$pki"; printf 'allow_anonymous true\n'; } > "$tmp/source.conf"
}
tgt_conf() {
    { bt_broker_conf; printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$1"; } > "$tmp/target.conf"
}
bt_start_broker "$MOSQ" "$tmp/source.conf" "$tmp/source-broker.log" src_conf || fail "source broker"
pids="$pids $bt_broker"
SP=$bt_port
bt_start_broker "$MOSQ" "$tmp/target.conf" "$tmp/target-broker.log" tgt_conf || fail "target broker"
tgt=$bt_broker
pids="$pids $tgt"
TP=$bt_port

sims=
bt_start_sim cloud "$tmp" "$SP" "$pki/sim.p12" --cafile "$pki/ca.crt" \
    --device "$D/el100v2.json" --sn 1000000001
pids="$pids $sims"
bt_wait_for "$tmp/cloud.ready" 1000000001 30 "$sim_cloud" || fail "bluetti-sim did not get ready"

home=$(sed -n 's/^  "serial": "\(.*\)",$/\1/p' "$D/el100v2.json")
ro=$(sed -n 's/^  "serial": "\(.*\)",$/\1/p' "$D/el30v2.json")
FLOG=$tmp/frames.txt
SLOG=$tmp/slow-frames.txt
cat > "$tmp/bridge.conf" <<CONF
[bridge]
prefix = bluetti
discovery_prefix = homeassistant

[target]
broker = 127.0.0.1
port = $TP
keepalive = 5

[source cloud]
transport = mqtt
broker = localhost
port = $SP
cert = $pki/client.p12
password_file = $tmp/cert.pw
cafile = $pki/ca.crt

[source home]
transport = sim
frame_log = $FLOG

[source other]
transport = sim

[source slow]
transport = sim
faults = delay=0.5
frame_log = $SLOG

[device cloud]
source = cloud
serial = 1000000001
model = EL100V2
groups = core, settings
interval = 0.5
control = yes

[device home]
source = home
model = EL100V2
groups = core, settings
interval = 0.5
control = yes
control_unverified = yes

[device ro]
source = other
model = EL30V2
groups = core, settings
interval = 0.5

[device slow]
source = slow
model = EL100V2
serial = 2000000005
groups = core, settings
interval = 0.5
control = yes
control_unverified = yes
CONF

mosquitto_sub -h 127.0.0.1 -p "$TP" -v -t 'bluetti/#' -t 'homeassistant/#' > "$tmp/sub.txt" 2>&1 &
pids="$pids $!"
$WRAP "$B/tools/bluetti-bridge" --plugin-dir "$B/plugins/.libs" -c "$tmp/bridge.conf" -v \
    > "$tmp/bridge.log" 2>&1 &
br=$!
pids="$pids $br"

for sn in 1000000001 "$home" "$ro" 2000000005; do
    bt_wait_for "$tmp/sub.txt" "^bluetti/$sn/state {.*\"ctrl_ac\":\"on\"" 20 $br || fail "no state of $sn"
    bt_wait_for "$tmp/sub.txt" "^homeassistant/sensor/bluetti_$sn/soc/config {" 10 $br ||
        fail "no discovery of $sn"
done
# the subscription is made right after the connect: wait for its acknowledgement in the broker's log
bt_wait_for "$tmp/target-broker.log" "bluetti/+/+/set" 10 $br || fail "the bridge did not subscribe to its command topics"

# ---- discovery -------------------------------------------------------------------------
sw=$(grep "^homeassistant/switch/bluetti_1000000001/ctrl_ac/config " "$tmp/sub.txt" | tail -n 1)
case $sw in
*'"command_topic":"bluetti/1000000001/ctrl_ac/set"'*'"payload_on":"ON","payload_off":"OFF","state_on":"on","state_off":"off"'*) ;;
*) fail "no switch ctrl_ac with its command topic for the control device: $sw" ;;
esac
grep -q "^homeassistant/switch/bluetti_1000000001/dc_eco_ctrl/config {" "$tmp/sub.txt" &&
    fail "an unverified field got a switch without control_unverified"
grep -q "^homeassistant/sensor/bluetti_1000000001/ctrl_ac/config {" "$tmp/sub.txt" &&
    fail "ctrl_ac of the control device is also a sensor"
grep "^homeassistant/number/bluetti_$home/soc_high_limit/config " "$tmp/sub.txt" |
    grep -q "\"command_topic\":\"bluetti/$home/soc_high_limit/set\".*\"min\":1,\"max\":100,\"step\":1" ||
    fail "no number soc_high_limit for the control_unverified device"
grep "^homeassistant/select/bluetti_$home/charging_mode_2000/config " "$tmp/sub.txt" |
    grep -q '"options":\["standard","silent","turbo","custom"\]' ||
    fail "no select charging_mode for the control_unverified device"
grep "^homeassistant/[a-z]*/bluetti_$ro/" "$tmp/sub.txt" | grep -q command_topic &&
    fail "the device without control has an entity with a command topic"
grep -q "^homeassistant/sensor/bluetti_$ro/ctrl_ac/config {" "$tmp/sub.txt" ||
    fail "ctrl_ac of the device without control is not a sensor"

# ---- refused commands change nothing ----------------------------------------------------
cmd() { mosquitto_pub -h 127.0.0.1 -p "$TP" -t "$1" -m "$2" || fail "mosquitto_pub $1"; }
frames_before=$(grep -c ' 01\(06\|10\)' "$FLOG")
[ "$frames_before" -eq 0 ] || fail "write frames before any command"
cmd "bluetti/$home/ctrl_ac/set" MAYBE
bt_wait_for "$tmp/bridge.log" "ctrl_ac/set refused: 'MAYBE'" 10 $br || fail "a bad payload was not refused"
cmd "bluetti/$home/soc_high_limit/set" 250
bt_wait_for "$tmp/bridge.log" "soc_high_limit/set refused: '250'" 10 $br || fail "an out-of-range number was not refused"
cmd "bluetti/$home/soc/set" 50
bt_wait_for "$tmp/bridge.log" "refused: 'soc' is not a field" 10 $br || fail "a read-only field was not refused"
cmd "bluetti/$ro/ctrl_ac/set" OFF
bt_wait_for "$tmp/bridge.log" "device $ro has control off" 10 $br || fail "a device without control was not refused"
cmd "bluetti/1000000001/dc_eco_ctrl/set" OFF
bt_wait_for "$tmp/bridge.log" "dc_eco_ctrl/set refused: .*control_unverified" 10 $br ||
    fail "an unverified field was not refused without control_unverified"

# ---- a switch command over bluetti-sim: the register and then the state ----------------------
mark=$(wc -l < "$tmp/sub.txt")
cmd "bluetti/1000000001/ctrl_ac/set" OFF
bt_wait_for "$tmp/sim-cloud.log" "write of register 2011 = 0" 10 $br || fail "bluetti-sim saw no write of 0 to 2011"
bt_wait_for "$tmp/bridge.log" "ctrl_ac = OFF (register 2011): on (1) -> off (0): applied" 10 $br ||
    fail "the bridge did not log the write as applied"
bt_wait_after "$tmp/sub.txt" "$mark" '^bluetti/1000000001/state {.*"ctrl_ac":"off"' 10 $br ||
    fail "the state did not follow the write"

# ---- switch and number on the in-process sim -------------------------------------------------
mark=$(wc -l < "$tmp/sub.txt")
cmd "bluetti/$home/ctrl_ac/set" OFF
cmd "bluetti/$home/soc_high_limit/set" 80
bt_wait_after "$tmp/sub.txt" "$mark" "^bluetti/$home/state {.*\"ctrl_ac\":\"off\".*\"soc_high_limit\":80[,}]" 15 $br ||
    fail "the sim device's state did not follow the two writes"
grep -q ' 010607db0000' "$FLOG" || fail "the sim received no write of 0 to 2011"
grep -q ' 010607e70050' "$FLOG" || fail "the sim received no write of 80 to 2023"

# nothing was sent for the refused commands: only the two writes reached the sim
[ "$(grep -c ' 01\(06\|10\)' "$FLOG")" -eq 2 ] || fail "write frames other than the two commands: $(grep ' 01\(06\|10\)' "$FLOG")"
[ "$(grep -c 'write of register' "$tmp/sim-cloud.log")" -eq 1 ] || fail "bluetti-sim saw other writes"
ro_state=$(grep "^bluetti/$ro/state " "$tmp/sub.txt" | tail -n 1)
case $ro_state in *'"ctrl_ac":"on"'*) ;; *) fail "the device without control changed: $ro_state" ;; esac

# ---- a burst while reads are in flight: the newest command wins ---------------------------
# every reply of this sim takes 0.5 s, a write (read, write, read back) 1.5 s:
# the three commands of one mosquitto_pub arrive while the first request runs
mark=$(wc -l < "$tmp/sub.txt")
printf '70\n75\n90\n' | mosquitto_pub -h 127.0.0.1 -p "$TP" -t bluetti/2000000005/soc_high_limit/set -l ||
    fail "mosquitto_pub -l"
bt_wait_after "$tmp/sub.txt" "$mark" '^bluetti/2000000005/state {.*"soc_high_limit":90[,}]' 20 $br ||
    fail "the state of the slow device did not reach the newest command's 90"
grep -q ' 010607e7005a' "$SLOG" || fail "the newest command (90) was not written"
grep -q ' 010607e7004b' "$SLOG" && fail "the replaced command (75) was written"
grep -q "device 2000000005: soc_high_limit = 75 replaces the waiting" "$tmp/bridge.log" ||
    grep -q "device 2000000005: soc_high_limit = 90 replaces the waiting soc_high_limit = 75" "$tmp/bridge.log" ||
    fail "no waiting command was replaced"

kill -TERM $br
wait $br
st=$?
[ $st -eq 0 ] || fail "the bridge exited $st on SIGTERM"
echo "control.sh: ok"

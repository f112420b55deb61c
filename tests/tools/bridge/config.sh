#!/bin/sh
# bluetti-bridge without any broker: --check-config on good and broken
# files (every error names FILE:LINE and exits 2), --once on the config of
# issue 14 as written (what it prints matches the simulator's image and
# bluetti-tool's reading of it), --shard splitting a fleet, --help.
set -u
B=${BLUETTI_TEST_BUILDDIR:-.}
S=${BLUETTI_TEST_SRCDIR:-.}
WRAP=${BLUETTI_TEST_WRAPPER:-}
BLUETTI_SIM_DEVICES=$S/data/devices
export BLUETTI_SIM_DEVICES
unset CREDENTIALS_DIRECTORY
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bluetti-bridge-cfg.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "config.sh: FAIL: $*" >&2; fails=$((fails + 1)); }

bridge() { $WRAP "$B/tools/bluetti-bridge" --plugin-dir "$B/plugins/.libs" "$@"; }

# the issue's config, exactly
cat > "$tmp/issue.conf" <<'CONF'
[bridge]
prefix = bluetti
discovery_prefix = homeassistant

[target]
broker = localhost
port = 1883

[source home]
transport = sim

[device garage]
source = home
model = EL100V2
interval = 5
CONF

out=$(bridge -c "$tmp/issue.conf" --check-config 2>&1)
[ $? -eq 0 ] || fail "--check-config of the issue's config: $out"
case $out in *"good: 1 device on 1 source"*) ;; *) fail "--check-config said: $out" ;; esac

# ---- --once: one round, printed -------------------------------------------------
bridge -c "$tmp/issue.conf" --once > "$tmp/once.out" 2> "$tmp/once.err"
st=$?
[ $st -eq 0 ] || fail "--once exited $st: $(cat "$tmp/once.err")"
serial=$(sed -n 's/^  "serial": "\(.*\)",$/\1/p' "$S/data/devices/el100v2.json")
[ -n "$serial" ] || fail "no serial in the EL100V2 image"
grep -q "^bluetti/$serial/state {" "$tmp/once.out" ||
    fail "--once printed no state for the image's serial $serial"
grep -q "^bluetti/$serial/availability online$" "$tmp/once.out" || fail "--once: no availability"
grep -q "^bluetti/bridge/bridge/availability online$" "$tmp/once.out" ||
    fail "--once: no bridge availability"
grep -q "^bluetti/$serial/health {.*\"consecutive_failures\":0" "$tmp/once.out" ||
    fail "--once: no health"
state=$(grep "^bluetti/$serial/state " "$tmp/once.out")
# every number bluetti-tool reads from the same image is in the state
tool_out=$($WRAP "$B/tools/bluetti-tool" --no-plugin-search --plugin-dir "$B/plugins/.libs" \
    --no-config --transport sim --model EL100V2 read --blocks 100 2>&1) ||
    fail "bluetti-tool sim read failed: $tool_out"
for f in soc pack_voltage ac_output_power dc_input_power pv_charge_energy; do
    v=$(printf '%s\n' "$tool_out" | awk -v f="$f" '$1 == f { print $2 }')
    [ -n "$v" ] || fail "bluetti-tool printed no $f"
    printf '%s' "$state" | grep -q "\"$f\":$v[,}]" || fail "state has not $f = $v: $state"
done
printf '%s' "$state" | grep -q '"charging_status":"charging"' || fail "named value not as its name"
printf '%s' "$state" | grep -q '"units":{[^}]*"soc":"%"' || fail "no unit for soc"
printf '%s' "$state" | grep -q '"stale":\[\]' || fail "blocks stale after a clean round: $state"
# discovery: classes, the Energy dashboard's counters, enums, diagnostics, evidence
disc() { grep "^homeassistant/sensor/bluetti_$serial/$1/config " "$tmp/once.out"; }
disc soc | grep -q '"device_class":"battery","unit_of_measurement":"%","state_class":"measurement"' ||
    fail "soc entity: $(disc soc)"
disc pack_discharge_energy | grep -q '"device_class":"energy","unit_of_measurement":"kWh","state_class":"total_increasing"' ||
    fail "energy counter entity: $(disc pack_discharge_energy)"
disc ac_output_power | grep -q '"device_class":"power"' || fail "power entity"
disc charging_status | grep -q '"device_class":"enum","options":\["' || fail "enum entity"
disc device_model | grep -q '"entity_category":"diagnostic"' || fail "diagnostic entity"
disc protocol_version | grep -q "value_json\['protocol_version'\]" || fail "protocol version entity"
for f in soc charging_status; do
    e=$(disc $f)
    printf '%s' "$e" | grep -q "\"unique_id\":\"bluetti_${serial}_$f\",\"default_entity_id\":\"sensor.bluetti_${serial}_$f\"" ||
        fail "$f: unique_id/default_entity_id: $e"
    printf '%s' "$e" | grep -q '"object_id"' && fail "$f uses the deprecated object_id"
    printf '%s' "$e" | grep -q "\"device\":{\"identifiers\":\[\"$serial\"\],\"name\":\"garage\",\"manufacturer\":\"BLUETTI\",\"model\":\"Elite 100 V2\",\"model_id\":\"EL100V2\",\"sw_version\":\"[^\"]*\",\"serial_number\":\"$serial\"},\"origin\":{\"name\":\"bluetti-bridge\"" ||
        fail "$f: device/origin block: $e"
done
# a field whose evidence is not device-confirmed is disabled by default
unconfirmed=$($WRAP "$B/tools/bluetti-tool" --no-plugin-search --plugin-dir "$B/plugins/.libs" \
    --no-config describe 6000 2>/dev/null |
    awk '/^  [a-z]/ { for (i = 2; i <= NF; i++) if ($i == "reference" || $i == "unverified") { print $1; break } }')
in100=$($WRAP "$B/tools/bluetti-tool" --no-plugin-search --plugin-dir "$B/plugins/.libs" \
    --no-config describe 100 2>/dev/null | awk '/^  [a-z]/ { print $1 }')
checked=0
for f in $unconfirmed; do
    # a name block 100 has too is published as NAME_6000
    if printf '%s\n' "$in100" | grep -qx "$f"; then e=$(disc "${f}_6000") || continue
    else e=$(disc "$f") || continue
    fi
    checked=$((checked + 1))
    printf '%s' "$e" | grep -q '"enabled_by_default":false' || fail "unconfirmed $f enabled: $e"
done
[ $checked -gt 0 ] || fail "no unconfirmed field of block 6000 had an entity to check"
confirmed=$(disc soc)
printf '%s' "$confirmed" | grep -q enabled_by_default && fail "confirmed soc disabled"

# per-field topics: the value as plain text, retained like the state
sed 's/^discovery_prefix = homeassistant$/discovery_prefix = homeassistant\nfield_topics = true\ndiscovery = false/' \
    "$tmp/issue.conf" > "$tmp/fields.conf"
bridge -c "$tmp/fields.conf" --once > "$tmp/fields.out" 2>&1 || fail "field_topics --once failed"
soc=$(printf '%s\n' "$tool_out" | awk '$1 == "soc" { print $2 }')
grep -q "^bluetti/$serial/soc $soc$" "$tmp/fields.out" || fail "no field topic bluetti/$serial/soc $soc"
grep -q "^bluetti/$serial/charging_status charging$" "$tmp/fields.out" || fail "no named field topic"
grep -q "^homeassistant/" "$tmp/fields.out" && fail "discovery = false still sent discovery"

# ---- control: switch, select and number entities with command topics ----------------
ctl_conf() { # EXTRA-DEVICE-LINES
    printf '[source home]\ntransport = sim\n[device garage]\nmodel = EL100V2\ngroups = core, settings\n%b' "$1"
}
ctl_once() { # NAME EXTRA-DEVICE-LINES
    ctl_conf "$2" > "$tmp/$1.conf"
    bridge -c "$tmp/$1.conf" --once > "$tmp/$1.out" 2>&1 || fail "$1 --once: $(tail -n 3 "$tmp/$1.out")"
}
cdisc() { grep "^homeassistant/$2/bluetti_$serial/$3/config " "$tmp/$1.out"; }
ctl_once ctl0 ''
grep "^homeassistant/" "$tmp/ctl0.out" | grep -q command_topic && fail "command topics without control = yes"
cdisc ctl0 sensor ctrl_ac | grep -q '"options":\["off","on"\]' || fail "without control ctrl_ac is not an enum sensor"
ctl_once ctl1 'control = yes\n'
sw=$(cdisc ctl1 switch ctrl_ac)
for k in "\"command_topic\":\"bluetti/$serial/ctrl_ac/set\"" '"optimistic":false' '"payload_on":"ON"' \
    '"payload_off":"OFF"' '"state_on":"on"' '"state_off":"off"' '"entity_category":"config"' \
    "\"state_topic\":\"bluetti/$serial/state\"" "\"value_template\":\"{{ value_json['values']['ctrl_ac'] }}\""; do
    case $sw in *"$k"*) ;; *) fail "control = yes: switch ctrl_ac lacks $k: $sw" ;; esac
done
cdisc ctl1 switch ctrl_dc | grep -q "\"command_topic\":\"bluetti/$serial/ctrl_dc/set\"" || fail "no switch ctrl_dc"
cdisc ctl1 sensor ctrl_ac > /dev/null && fail "control = yes: ctrl_ac is also a sensor"
n=$(grep -c command_topic "$tmp/ctl1.out")
[ "$n" -eq 2 ] || fail "control = yes: $n entities with command topics, expected the 2 confirmed ones"
cdisc ctl1 sensor soc_high_limit | grep -q command_topic && fail "an unverified field has a command topic"
ctl_once ctl2 'control = yes\ncontrol_unverified = yes\n'
num=$(cdisc ctl2 number soc_high_limit)
for k in "\"command_topic\":\"bluetti/$serial/soc_high_limit/set\"" '"min":1,"max":100,"step":1' \
    '"unit_of_measurement":"%"' '"optimistic":false'; do
    case $num in *"$k"*) ;; *) fail "control_unverified: number soc_high_limit lacks $k: $num" ;; esac
done
case $num in *state_class*) fail "a number entity has a state_class: $num" ;; esac
cdisc ctl2 number dc_eco_power | grep -q '"min":5,"max":20,"step":1,"mode":"box"' || fail "no number dc_eco_power"
sel=$(cdisc ctl2 select charging_mode_2000)
case $sel in
*"\"command_topic\":\"bluetti/$serial/charging_mode_2000/set\""*'"options":["standard","silent","turbo","custom"]'*) ;;
*) fail "control_unverified: no select charging_mode_2000 with options: $sel" ;;
esac
cdisc ctl2 switch power_lifting_mode > /dev/null || fail "control_unverified: no switch power_lifting_mode"
# the blocks' read-only fields stay sensors
cdisc ctl2 sensor soc > /dev/null || fail "control_unverified: soc is no longer a sensor"
grep "^homeassistant/" "$tmp/ctl2.out" | grep '"command_topic"' | grep -q '^homeassistant/sensor/' &&
    fail "a sensor has a command topic"

# ---- a sim device without serial, sharding ----------------------------------------
cat > "$tmp/fleet.conf" <<'CONF'
[source home]
transport = sim
[device a]
model = EL100V2
serial = 1000000001
[device b]
model = EL30V2
serial = 1000000002
[device c]
model = EL30V2
[device d]
model = ELITE200V2
serial = 1000000004
CONF
bridge -c "$tmp/fleet.conf" --once > "$tmp/all.out" 2>&1 || fail "fleet --once: $(tail -n 3 "$tmp/all.out")"
el30=$(sed -n 's/^  "serial": "\(.*\)",$/\1/p' "$S/data/devices/el30v2.json")
grep -q "^bluetti/$el30/state " "$tmp/all.out" || fail "sim device without serial: not the image's $el30"
grep "^bluetti/1000000002/state " "$tmp/all.out" | grep -q '"model":"EL30V2"' ||
    fail "device b is not served as an EL30V2"
: > "$tmp/shards"
for k in 0 1 2; do
    bridge -c "$tmp/fleet.conf" --once --shard $k/3 2>/dev/null |
        sed -n 's|^bluetti/\([^/]*\)/state .*|\1|p' >> "$tmp/shards"
done
n=$(sort "$tmp/shards" | uniq | wc -l)
dup=$(sort "$tmp/shards" | uniq -d | wc -l)
[ "$n" -eq 4 ] && [ "$dup" -eq 0 ] || fail "3 shards did not split 4 devices: $(tr '\n' ' ' < "$tmp/shards")"

# ---- broken configs: FILE:LINE, a remedy, exit 2 ------------------------------------
check_bad() { # NAME LINE PATTERN: the config in $tmp/NAME.conf
    out=$(bridge -c "$tmp/$1.conf" --check-config 2>&1)
    st=$?
    [ $st -eq 2 ] || fail "$1: exit $st, not 2: $out"
    case $out in *"$1.conf:$2: "*"$3"*) ;; *) fail "$1: expected line $2 and '$3': $out" ;; esac
}
printf '[source s]\ntransport = sim\n[devices x]\n' > "$tmp/section.conf"
check_bad section 3 "unknown section [devices]"
printf '[source s]\ntransport = sim\n[device x]\nmodel = EL100V2\ncolour = red\n' > "$tmp/key.conf"
check_bad key 5 "unknown key 'colour' in [device x]; the keys are"
printf '[source s]\ntransport = sim\n[device x]\nmodel = EL999\n' > "$tmp/model.conf"
check_bad model 4 "no such model"
printf '[source s]\ntransport = sim\n[device x]\nmodel = EL100V2\ninterval = fast\n' > "$tmp/interval.conf"
check_bad interval 5 "give a number of seconds"
printf '[source s]\ntransport = nosuch\n' > "$tmp/transport.conf"
check_bad transport 2 "no transport 'nosuch'"
printf '[source s]\ntransport = mqtt\nbrokr = x\n' > "$tmp/topt.conf"
check_bad topt 3 "unknown key 'brokr' for transport 'mqtt'"
printf '[source s]\ntransport = mqtt\nport = 99999\n' > "$tmp/tval.conf"
check_bad tval 3 "port: "
printf '[source s]\ntransport = mqtt\ncert = %s\npassword = hunter2\n' "$tmp/issue.conf" > "$tmp/clear.conf"
check_bad clear 4 "never written in the config"
grep -q hunter2 "$tmp/clear.conf" && bridge -c "$tmp/clear.conf" --check-config 2>&1 | grep -q hunter2 &&
    fail "the password was echoed"
printf 'hunter2\n' > "$tmp/pw"
chmod 644 "$tmp/pw"
printf '[source s]\ntransport = mqtt\ncert = %s\npassword_file = %s\n' "$tmp/issue.conf" "$tmp/pw" > "$tmp/shared.conf"
check_bad shared 4 "chmod 600"
# the password from systemd's credentials directory (LoadCredential=)
mkdir -p "$tmp/creds"
printf 'hunter2\n' > "$tmp/creds/cert-password"
printf '[source s]\ntransport = mqtt\ncert = %s\npassword_credential = cert-password\n' "$tmp/issue.conf" > "$tmp/cred.conf"
out=$(CREDENTIALS_DIRECTORY=$tmp/creds bridge -c "$tmp/cred.conf" --check-config 2>&1) ||
    fail "password_credential with \$CREDENTIALS_DIRECTORY refused: $out"
check_bad cred 4 "CREDENTIALS_DIRECTORY is not set"
printf '[source s]\ntransport = mqtt\ncert = %s\npassword_credential = nosuch\n' "$tmp/issue.conf" > "$tmp/nocred.conf"
out=$(CREDENTIALS_DIRECTORY=$tmp/creds bridge -c "$tmp/nocred.conf" --check-config 2>&1)
[ $? -eq 2 ] || fail "a missing credential is not exit 2: $out"
case $out in *"nocred.conf:4: cannot read credential"*"LoadCredential="*) ;; *) fail "missing credential: $out" ;; esac
printf '[target]\npassword = x\n[source s]\ntransport = sim\n' > "$tmp/tpw.conf"
check_bad tpw 2 "never written in the config"
printf '[source s]\ntransport = sim\n[device x]\nmodel = EL100V2\nserial = 1\n[device y]\nmodel = EL30V2\nserial = 1\n' > "$tmp/dup.conf"
check_bad dup 6 "each station once"
printf '[source s]\ntransport = sim\n[device x]\nsource = t\nmodel = EL100V2\n' > "$tmp/nosrc.conf"
check_bad nosrc 4 "no [source t]"
printf '[source s]\ntransport = sim\n[device x]\nmodel = EL100V2\ngroups = core, nosuch\n' > "$tmp/group.conf"
check_bad group 5 "has no group 'nosuch'"
printf '[source s]\ntransport = mqtt\n[device x]\nmodel = EL100V2\n' > "$tmp/noserial.conf"
check_bad noserial 3 "has no serial"
printf '[bridge]\nshard = 3/3\n[source s]\ntransport = sim\n' > "$tmp/shard.conf"
check_bad shard 2 "K counts from 0"
printf '[bridge]\nprefix = a/+/b\n[source s]\ntransport = sim\n' > "$tmp/prefix.conf"
check_bad prefix 2 "not a usable topic prefix"
printf '[source s]\ntransport = sim\n[device x]\nmodel = EL100V2\ncontrol = maybe\n' > "$tmp/ctlbool.conf"
check_bad ctlbool 5 "control = 'maybe' is not a yes/no value"
printf '[source s]\ntransport = sim\n[device x]\nmodel = EL100V2\ncontrol_unverified = yes\n' > "$tmp/ctlunv.conf"
check_bad ctlunv 5 "control_unverified = yes in [device x] without control = yes"
printf 'prefix = x\n' > "$tmp/nosection.conf"
check_bad nosection 1 "a key before any section"
out=$(bridge -c "$tmp/nonexistent.conf" --check-config 2>&1)
[ $? -eq 2 ] || fail "a missing config file is not exit 2: $out"
out=$(bridge --shard 2 2>&1)
[ $? -eq 2 ] || fail "--shard 2 is not exit 2: $out"
out=$(bridge --frobnicate 2>&1)
[ $? -eq 2 ] || fail "an unknown option is not exit 2"
out=$(bridge --help)
[ $? -eq 0 ] || fail "--help exit status"
case $out in *"--once"*"[device garage]"*"password_file"*) ;; *) fail "--help does not teach: $out" ;; esac

[ $fails -eq 0 ] || { echo "config.sh: $fails failures" >&2; exit 1; }
echo "config.sh: all passed"

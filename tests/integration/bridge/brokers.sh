#!/bin/sh
# bluetti-bridge between two real mosquitto brokers: the source broker
# (TLS, client certificates required) with bluetti-sim playing three
# devices of different models, and an in-process sim source; the target
# broker with a plain listener and a TLS one that wants a user and
# password. Checked: state, availability, discovery and health arrive and
# match the simulator; the source broker and then the target broker are
# killed and restarted and every device comes back without restarting
# the bridge; SIGHUP applies a changed device list (and moves to the TLS
# listener); a broken config on SIGHUP is refused and the bridge runs on;
# SIGTERM leaves `offline` retained. BT_BRIDGE_KEEP=1 keeps the files.
set -u
S=${BLUETTI_TEST_SRCDIR:-.}
. "$S/tests/shlib.sh"
B=${BLUETTI_TEST_BUILDDIR:-.}
WRAP=${BLUETTI_TEST_WRAPPER:-}
OPENSSL_BIN=${OPENSSL_BIN:-openssl}
export OPENSSL_BIN
. "$S/tests/integration/bridge/lib.sh"
br_need brokers.sh mosquitto_sub mosquitto_pub mosquitto_passwd

bt_scratch bluetti-bridge-int "${BT_BRIDGE_KEEP:-}"
fail() { bt_fail_logs brokers.sh "$tmp" 25 "$@"; }

# ---- certificates and passwords ---------------------------------------------------
br_pki
mosquitto_passwd -c -b "$tmp/passwd" bridge bridgepw > /dev/null 2>&1 || fail "mosquitto_passwd failed"
mosquitto_passwd -b "$tmp/passwd" reader readerpw > /dev/null 2>&1 || fail "mosquitto_passwd failed"
chmod 644 "$tmp/passwd"
printf 'bridgepw\n' > "$tmp/target.pw"
chmod 600 "$tmp/target.pw"

# ---- the brokers --------------------------------------------------------------------
src_conf() {
    cat > "$tmp/source.conf" <<CONF
per_listener_settings true
persistence false
log_dest stderr
listener $1 127.0.0.1
set_tcp_nodelay true
cafile $pki/ca.crt
certfile $pki/server.crt
keyfile $pki/server.key
require_certificate true
allow_anonymous true
CONF
}
tgt_conf() {
    cat > "$tmp/target.conf" <<CONF
per_listener_settings true
persistence false
log_dest stderr
listener $1 127.0.0.1
set_tcp_nodelay true
allow_anonymous true
listener $(($1 + 1)) 127.0.0.1
set_tcp_nodelay true
cafile $pki/ca.crt
certfile $pki/server.crt
keyfile $pki/server.key
password_file $tmp/passwd
allow_anonymous false
CONF
}
bt_start_broker "$MOSQ" "$tmp/source.conf" "$tmp/source-broker.log" src_conf || fail "source broker"
src=$bt_broker
SP=$bt_port
pids="$pids $src"
bt_start_broker "$MOSQ" "$tmp/target.conf" "$tmp/target-broker.log" tgt_conf || fail "target broker"
tgt=$bt_broker
TP=$bt_port
TLSP=$((TP + 1))
pids="$pids $tgt"

# ---- the simulated devices on the source broker -------------------------------------
BLUETTI_CERT_PASSWORD=$BT_MQTT_PASSWORD $WRAP "$B/tools/bluetti-sim" --broker localhost --port "$SP" \
    --cert "$pki/sim.p12" --cafile "$pki/ca.crt" --ready-file "$tmp/sim.ready" \
    --device "$D/el100v2.json" --sn 1000000001 --device "$D/el30v2.json" --sn 1000000002 \
    --device "$D/elite200v2.json" --sn 1000000003 > "$tmp/sim.log" 2>&1 &
sim=$!
pids="$pids $sim"
bt_wait_for "$tmp/sim.ready" 1000000003 30 $sim || fail "bluetti-sim did not get ready"

# ---- the bridge ------------------------------------------------------------------------
el30=$(sed -n 's/^  "serial": "\(.*\)",$/\1/p' "$D/el30v2.json")
write_config() { # TARGET-PORT EXTRA-TARGET-LINES DEVICES...
    port=$1
    extra=$2
    shift 2
    {
        printf '[bridge]\nprefix = bluetti\ndiscovery_prefix = homeassistant\nmissed_polls = 2\nhealth_interval = 1\n\n'
        printf '[target]\nbroker = 127.0.0.1\nport = %s\nkeepalive = 5\n%b\n' "$port" "$extra"
        printf '[source cloud]\ntransport = mqtt\nbroker = localhost\nport = %s\ncert = %s\n' "$SP" "$pki/client.p12"
        printf 'password_file = %s\ncafile = %s\nkeepalive = 5\n\n' "$tmp/cert.pw" "$pki/ca.crt"
        printf '[source home]\ntransport = sim\n\n'
        for dv in "$@"; do
            case $dv in
            a) printf '[device a]\nsource = cloud\nserial = 1000000001\nmodel = EL100V2\ninterval = 0.5\n\n' ;;
            A) printf '[device a]\nsource = cloud\nserial = 1000000001\nmodel = EL100V2\ninterval = 0.5\nfields = soc, pack_voltage\n\n' ;;
            b) printf '[device b]\nsource = cloud\nserial = 1000000002\nmodel = auto\ninterval = 0.5\n\n' ;;
            c) printf '[device c]\nsource = cloud\nserial = 1000000003\nmodel = ELITE200V2\ninterval = 0.5\n\n' ;;
            d) printf '[device d]\nsource = home\nmodel = EL30V2\ninterval = 0.5\n\n' ;;
            e) printf '[device e]\nsource = home\nmodel = EL100V2\nserial = 2000000005\ninterval = 0.5\n\n' ;;
            esac
        done
    } > "$tmp/bridge.conf.new"
    mv "$tmp/bridge.conf.new" "$tmp/bridge.conf"
}
write_config "$TP" "" a b c d
$WRAP "$B/tools/bluetti-bridge" --plugin-dir "$B/plugins/.libs" -c "$tmp/bridge.conf" --check-config \
    > "$tmp/check.log" 2>&1 || fail "--check-config refused the test config: $(cat "$tmp/check.log")"

sub() { # LOG: every message on the target's plain listener, with topics
    mosquitto_sub -h 127.0.0.1 -p "$TP" -v -t 'bluetti/#' -t 'homeassistant/#' > "$1" 2>&1 &
    echo $!
}
s1=$(sub "$tmp/sub1.txt")
pids="$pids $s1"
$WRAP "$B/tools/bluetti-bridge" --plugin-dir "$B/plugins/.libs" -c "$tmp/bridge.conf" -v \
    > "$tmp/bridge.log" 2>&1 &
br=$!
pids="$pids $br"

for sn in 1000000001 1000000002 1000000003 "$el30"; do
    bt_wait_for "$tmp/sub1.txt" "^bluetti/$sn/state {" 20 $br || fail "no state of $sn"
    bt_wait_for "$tmp/sub1.txt" "^bluetti/$sn/availability online" 10 $br || fail "$sn not online"
    bt_wait_for "$tmp/sub1.txt" "^bluetti/$sn/health {.*\"last_success\":\"" 10 $br || fail "no health of $sn"
    bt_wait_for "$tmp/sub1.txt" "^homeassistant/sensor/bluetti_$sn/soc/config {" 10 $br ||
        fail "no discovery of $sn"
done
grep -q "^bluetti/bridge/bridge/availability online" "$tmp/sub1.txt" || fail "bridge not online"
bt_wait_for "$tmp/sub1.txt" '^bluetti/bridge/bridge/health {.*"devices":4' 10 $br || fail "no bridge health"
# the values are the simulator's: as bluetti-tool reads the same image
for m in EL100V2:1000000001 EL30V2:1000000002 ELITE200V2:1000000003; do
    model=${m%%:*}
    sn=${m#*:}
    out=$($WRAP "$B/tools/bluetti-tool" --no-plugin-search --plugin-dir "$B/plugins/.libs" --no-config \
        --transport sim --model "$model" read --blocks 100 2>&1) || fail "bluetti-tool read $model: $out"
    state=$(grep "^bluetti/$sn/state " "$tmp/sub1.txt" | tail -n 1)
    printf '%s' "$state" | grep -q "\"model\":\"$model\"" || fail "$sn is not a $model: $state"
    for f in soc pack_voltage ac_output_power; do
        v=$(printf '%s\n' "$out" | awk -v f="$f" '$1 == f { print $2 }')
        printf '%s' "$state" | grep -q "\"$f\":$v[,}]" || fail "$sn: $f is not $v: $state"
    done
done
grep "^homeassistant/sensor/bluetti_1000000001/pack_discharge_energy/config " "$tmp/sub1.txt" |
    grep -q '"state_class":"total_increasing"' || fail "energy counter not total_increasing"

# ---- Home Assistant comes online: discovery again ------------------------------------
mark=$(wc -l < "$tmp/sub1.txt")
mosquitto_pub -h 127.0.0.1 -p "$TP" -t homeassistant/status -m online || fail "mosquitto_pub"
bt_wait_after "$tmp/sub1.txt" "$mark" "^homeassistant/sensor/bluetti_1000000001/soc/config {" 10 $br ||
    fail "discovery was not sent again on homeassistant/status online"

# ---- the source broker goes away and comes back ----------------------------------------
kill -KILL $src
wait $src 2>/dev/null
mark=$(wc -l < "$tmp/sub1.txt")
bt_wait_after "$tmp/sub1.txt" "$mark" "^bluetti/1000000001/availability offline" 30 $br ||
    fail "1000000001 did not go offline without its broker (or the bridge died)"
tail -n "+$((mark + 1))" "$tmp/sub1.txt" | grep -q "^bluetti/$el30/availability offline" &&
    fail "the sim device went offline with the other source's broker"
"$MOSQ" -c "$tmp/source.conf" > "$tmp/source-broker2.log" 2>&1 &
src=$!
pids="$pids $src"
bt_wait_for "$tmp/source-broker2.log" " running" 10 $src || fail "source broker would not restart"
mark=$(wc -l < "$tmp/sub1.txt")
for sn in 1000000001 1000000002 1000000003; do
    bt_wait_after "$tmp/sub1.txt" "$mark" "^bluetti/$sn/availability online" 40 $br ||
        fail "$sn did not come back after the source broker restart"
done

# ---- the target broker goes away and comes back ----------------------------------------
kill -KILL $tgt
wait $tgt 2>/dev/null
sleep 1
"$MOSQ" -c "$tmp/target.conf" > "$tmp/target-broker2.log" 2>&1 &
tgt=$!
pids="$pids $tgt"
bt_wait_for "$tmp/target-broker2.log" " running" 10 $tgt || fail "target broker would not restart"
s2=$(sub "$tmp/sub2.txt")
pids="$pids $s2"
for sn in 1000000001 1000000002 1000000003 "$el30"; do
    bt_wait_for "$tmp/sub2.txt" "^bluetti/$sn/state {" 30 $br || fail "no state of $sn after the target restart"
    bt_wait_for "$tmp/sub2.txt" "^homeassistant/sensor/bluetti_$sn/soc/config {" 10 $br ||
        fail "no discovery of $sn after the target restart"
done
bt_wait_for "$tmp/sub2.txt" "^bluetti/bridge/bridge/availability online" 10 $br || fail "bridge not online again"

# ---- a broken config on SIGHUP: refused, the bridge runs on --------------------------------
cp "$tmp/bridge.conf" "$tmp/good.conf"
printf '[device broken]\nmodel = EL100V2\ninterval = never\n' >> "$tmp/bridge.conf"
line=$(grep -n '^interval = never' "$tmp/bridge.conf" | cut -d: -f1)
st=0
$WRAP "$B/tools/bluetti-bridge" --plugin-dir "$B/plugins/.libs" -c "$tmp/bridge.conf" --check-config \
    > "$tmp/check2.log" 2>&1 || st=$?
[ $st -eq 2 ] || fail "--check-config of a broken config: exit $st, not 2"
kill -HUP $br
bt_wait_for "$tmp/bridge.log" "bridge.conf:$line: interval = 'never'" 10 $br ||
    fail "the reload did not report bridge.conf:$line"
bt_wait_for "$tmp/bridge.log" "runs on with the one it had" 5 $br || fail "no word that the old config stays"
mark=$(wc -l < "$tmp/sub2.txt")
for sn in 1000000001 "$el30"; do
    bt_wait_after "$tmp/sub2.txt" "$mark" "^bluetti/$sn/state {" 10 $br || fail "$sn stopped after a broken reload"
done

# ---- SIGHUP with a changed device list, and the target moved to TLS + password -------------
write_config "$TLSP" "tls = true\ncafile = $pki/ca.crt\nusername = bridge\npassword_file = $tmp/target.pw" A b d e
mosquitto_sub -h localhost -p "$TLSP" --cafile "$pki/ca.crt" -u reader -P readerpw -v \
    -t 'bluetti/#' -t 'homeassistant/#' > "$tmp/sub3.txt" 2>&1 &
s3=$!
pids="$pids $s3"
mark=$(wc -l < "$tmp/sub2.txt")
kill -HUP $br
bt_wait_for "$tmp/bridge.log" "config reloaded: 2 devices kept, 1 changed, 1 added, 1 removed" 10 $br ||
    fail "the reload did not keep b and d, change a, add e and remove c"
bt_wait_for "$tmp/sub3.txt" "^bluetti/2000000005/state {" 20 $br || fail "added device e: no state over TLS"
bt_wait_for "$tmp/sub3.txt" "^homeassistant/sensor/bluetti_2000000005/soc/config {" 10 $br ||
    fail "added device e: no discovery"
for sn in 1000000001 1000000002 "$el30"; do
    bt_wait_for "$tmp/sub3.txt" "^bluetti/$sn/state {" 20 $br || fail "kept device $sn: no state over TLS"
done
# changed device a (fields = soc, pack_voltage): its other entities go, those two stay
bt_wait_for "$tmp/sub3.txt" "^homeassistant/sensor/bluetti_1000000001/ac_output_power/config (null)$" 20 $br ||
    fail "changed device a: the entity of a field it no longer has was not removed"
bt_wait_for "$tmp/sub3.txt" "^homeassistant/sensor/bluetti_1000000001/soc/config {" 10 $br ||
    fail "changed device a: no soc entity"
grep -q "^homeassistant/sensor/bluetti_1000000001/soc/config (null)$" "$tmp/sub3.txt" &&
    fail "changed device a: the soc entity it kept was removed"
grep "^bluetti/1000000001/state " "$tmp/sub3.txt" | tail -n 1 | grep -q '"values":{"pack_voltage":[0-9.-]*,"soc":[0-9]*}' ||
    fail "changed device a: its state does not hold just its two fields"
# removed device c: its entities and retained topics emptied (on the old connection)
# (mosquitto_sub -v shows an empty payload as "(null)")
tail -n "+$((mark + 1))" "$tmp/sub2.txt" | grep -q "^homeassistant/sensor/bluetti_1000000003/soc/config (null)$" ||
    fail "removed device c: no empty retained discovery config"
retained=$(mosquitto_sub -h localhost -p "$TLSP" --cafile "$pki/ca.crt" -u reader -P readerpw \
    -t 'homeassistant/sensor/bluetti_1000000003/#' -t 'bluetti/1000000003/#' -W 2 2>/dev/null | grep -c .)
[ "$retained" -eq 0 ] || fail "removed device c still has $retained retained messages"

# ---- SIGTERM: offline retained, exit 0 --------------------------------------------------------
kill -TERM $br
wait $br
st=$?
[ $st -eq 0 ] || fail "the bridge exited $st after SIGTERM"
last=$(mosquitto_sub -h localhost -p "$TLSP" --cafile "$pki/ca.crt" -u reader -P readerpw \
    -t bluetti/bridge/bridge/availability -C 1 -W 3 2>/dev/null)
[ "$last" = offline ] || fail "after SIGTERM the bridge's availability is '$last', not offline"
echo "brokers.sh: all passed"

#!/bin/sh
# transport-ble end to end, with no radio: a private D-Bus daemon as the
# system bus, python-dbusmock's BlueZ template extended with the ff00 GATT
# service (bluez_bluetti.py) and two bluetti-sim --ble stations behind it:
# one encrypting (its own signing pair; the client gets its public key),
# which sends the key message twice and 20-byte notifications, and one
# plain one that offers only StartNotify and writes without response.
# bluetti-tool --transport ble reads both, by address and by serial; bad
# keys, an unknown station and a dropped link are checked too.
set -u

B=${BLUETTI_TEST_BUILDDIR:-.}
S=${BLUETTI_TEST_SRCDIR:-.}
WRAP=${BLUETTI_TEST_WRAPPER:-}
PLUGDIR=${BLUETTI_TEST_PLUGIN_DIR:-$B/plugins/.libs}
OPENSSL_BIN=${OPENSSL_BIN:-openssl}
DEVICES=$S/data/devices
. "$S/tests/shlib.sh"

if [ ! -f "$PLUGDIR/transport-ble.so" ]; then
    echo "read.sh: $PLUGDIR/transport-ble.so is not built (configure found no libsystemd)" >&2
    exit 1
fi
PY=
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import dbusmock, gi' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ] || ! command -v dbus-daemon > /dev/null; then
    echo "read.sh: needs python3-dbusmock and dbus-daemon (apt-get install python3-dbusmock dbus)" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bluetti-ble.XXXXXX") || exit 1
pids=
cleanup() {
    trap - EXIT INT TERM
    for p in $pids; do kill -TERM "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' INT TERM
fail() { bt_fail_logs read.sh "$tmp" 30 "$@"; }

# ---- keys: the client's pair, the station's pair, one app key ---------------
(
    cd "$tmp" || exit 1
    for who in client station; do
        "$OPENSSL_BIN" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $who.key &&
        "$OPENSSL_BIN" pkey -in $who.key -pubout -out $who.pub || exit 1
    done
    app=$(head -c 16 /dev/urandom | base64)
    block() { printf -- '-----BEGIN BLUETTI BLE APP KEY-----\n%s\n-----END BLUETTI BLE APP KEY-----\n' "$1"; }
    { block "$app"; cat client.key station.pub; } > client.pem
    { block "$app"; cat station.key client.pub; } > station.pem
    { block "$(head -c 16 /dev/urandom | base64)"; cat client.key station.pub; } > otherapp.pem
    { block "$app"; cat client.key client.pub; } > untrusted.pem
) > "$tmp/openssl.log" 2>&1 || fail "making the test keys failed"

# ---- the system bus and the stations -------------------------------------------
cat > "$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:dir=$tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
dbus-daemon --config-file="$tmp/bus.conf" --nofork --print-address=1 > "$tmp/bus.addr" 2> "$tmp/bus.log" &
pids="$pids $!"
bt_wait_for "$tmp/bus.addr" "unix:" 10 $! || fail "dbus-daemon did not start"
DBUS_SYSTEM_BUS_ADDRESS=$(head -n 1 "$tmp/bus.addr")
export DBUS_SYSTEM_BUS_ADDRESS

# no BlueZ on the bus yet, and no bus at all: said clearly
"$B/tools/bluetti-tool" --no-plugin-search --plugin-dir "$PLUGDIR" --transport ble scan \
    > "$tmp/out0" 2> "$tmp/err0"
[ $? -eq 1 ] && grep -Fq "is bluetoothd running?" "$tmp/err0" ||
    { cat "$tmp/err0" >&2; fail "no BlueZ: not said"; }
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/nobus "$B/tools/bluetti-tool" --no-plugin-search \
    --plugin-dir "$PLUGDIR" --transport ble scan > "$tmp/out0" 2> "$tmp/err0"
[ $? -eq 1 ] && grep -Fq "cannot connect to the system bus" "$tmp/err0" ||
    { cat "$tmp/err0" >&2; fail "no system bus: not said"; }

ENC_SN=2345000223861
PLAIN_SN=2345000100077
sims=
sim() { # NAME SERIAL FAULTS [KEYS]
    "$B/tools/bluetti-sim" --ble "$tmp/$1.sock" --device "$DEVICES/el100v2.json" --sn "$2" \
        --ble-faults "$3" ${4:+--ble-keys "$4"} > "$tmp/sim-$1.log" 2>&1 &
    pids="$pids $!"
    sims="$sims $!"
    bt_wait_for "$tmp/sim-$1.log" "ready" 10 $! || fail "bluetti-sim --ble $1 did not start"
}
sim enc $ENC_SN "repeat-key,fragment=20" "$tmp/station.pem"
sim plain $PLAIN_SN "plain,fragment=20"
sim drop 2345000100078 "fragment=20,drop=3" "$tmp/station.pem"
sim silent 2345000100079 "silent" "$tmp/station.pem"

params=$(cat <<EOF
{"trace": "$tmp/trace.log", "stations": [
 {"address": "C8:47:8C:00:00:01", "name": "EL100V2$ENC_SN", "socket": "$tmp/enc.sock",
  "encrypted": true, "rssi": -58},
 {"address": "C8:47:8C:00:00:02", "name": "EL100V2$PLAIN_SN", "socket": "$tmp/plain.sock",
  "encrypted": false, "rssi": -71, "acquire": false, "write_flags": ["write-without-response"]},
 {"address": "C8:47:8C:00:00:03", "name": "EL100V22345000100078", "socket": "$tmp/drop.sock",
  "encrypted": true, "rssi": -80},
 {"address": "C8:47:8C:00:00:04", "name": "EL100V22345000100079", "socket": "$tmp/silent.sock",
  "encrypted": true, "rssi": -66}
]}
EOF
)
"$PY" -m dbusmock --template "$S/tests/integration/ble/bluez_bluetti.py" -p "$params" \
    -l "$tmp/bluez-calls.log" > "$tmp/bluez.log" 2>&1 &
pids="$pids $!"
bt_wait_for "$tmp/trace.log" "ready" 15 $! || fail "the BlueZ stand-in did not start"

# ---- the tool -----------------------------------------------------------------
failures=0
tool() {
    $WRAP "$B/tools/bluetti-tool" --no-plugin-search --plugin-dir "$PLUGDIR" --transport ble \
        --connect-timeout 8 "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    if grep -q "Sanitizer\|definitely lost" "$tmp/err"; then
        echo "read.sh: FAIL: memory errors in bluetti-tool $*" >&2
        cat "$tmp/err" >&2
        failures=$((failures + 1))
    fi
}
check() { # DESCRIPTION: the last run's exit status and output
    if ! eval "$2"; then
        echo "read.sh: FAIL: $1" >&2
        sed 's/^/  out: /' "$tmp/out" >&2
        sed 's/^/  err: /' "$tmp/err" >&2
        failures=$((failures + 1))
    fi
}
has() { grep -Eq -- "$1" "$tmp/out"; }
says() { grep -Fq -- "$1" "$tmp/err"; }
traced() { grep -Fq -- "$1" "$tmp/trace.log"; }

# encrypted, by address: the handshake with a repeated key message, 20-byte
# notifications reassembled, AcquireNotify, writes with response
tool --address C8:47:8C:00:00:01 --keys "$tmp/client.pem" read --blocks 100
check "encrypted read by address" '[ $rc -eq 0 ] && has "^  device_model +EL100V2" && has "^  soc +[0-9]+ +%"'
check "AcquireNotify was used" 'traced acquire-notify'
check "writes with response" 'traced "write request"'
check "20-byte notifications" 'traced "notify 20"'
check "the station repeated its key message" 'grep -Fq "message 4 sent again" "$tmp/sim-enc.log"'
check "the repeat got the same bytes" '! grep -Fq "other bytes" "$tmp/sim-enc.log"'

# a guarded write over the encrypted link (docs/CONTROL.md): the station's
# register changes, the tool reads it back, and a later read shows it
tool --address C8:47:8C:00:00:01 --keys "$tmp/client.pem" set ctrl_ac off --yes
check "set over ble (encrypted): applied" '[ $rc -eq 0 ] && has "^ctrl_ac \(register 2011\): on \(1\) -> off \(0\): applied"'
check "set over ble: one write sent" '[ $(grep -c "write of register 2011 = 0" "$tmp/sim-enc.log") -eq 1 ]'
tool --address C8:47:8C:00:00:01 --keys "$tmp/client.pem" read --blocks 2000
check "the next read shows the new value" '[ $rc -eq 0 ] && has "^  ctrl_ac +0 +off"'
tool --address C8:47:8C:00:00:01 --keys "$tmp/client.pem" set ctrl_ac 7 --yes
check "an invalid value is refused before sending" '[ $rc -eq 6 ] && [ $(grep -c "write of register 2011 = " "$tmp/sim-enc.log") -eq 1 ]'

# one link across polls: three rounds, one connection and one handshake
: > "$tmp/trace.log"
tool --address C8:47:8C:00:00:01 --keys "$tmp/client.pem" --json listen --blocks 100 --interval 0.2 --count 3
check "listen: three rounds" '[ $rc -eq 0 ] && [ $(grep -c "\"block\": 100" "$tmp/out") -eq 3 ]'
check "listen: one connection" '[ $(grep -c "^connect$" "$tmp/trace.log") -eq 1 ] && [ $(grep -c acquire-notify "$tmp/trace.log") -eq 1 ]'

# encrypted, by serial (found in the advertised name), keys from the environment
BLUETTI_BLE_KEYS=$tmp/client.pem tool --sn $ENC_SN read --blocks 100
check "encrypted read by serial" '[ $rc -eq 0 ] && has "^  device_model +EL100V2"'

# plain: StartNotify + PropertiesChanged, writes without response, auto
# falling back after the challenge wait
: > "$tmp/trace.log"
tool --address C8:47:8C:00:00:02 --challenge-timeout 0.3 --keys "$tmp/client.pem" read --blocks 100
check "plain read (auto)" '[ $rc -eq 0 ] && has "^  device_model +EL100V2"'
check "StartNotify was used" 'traced start-notify && ! traced acquire-notify'
check "writes without response" 'traced "write command" && ! traced "write request"'
tool --address C8:47:8C:00:00:02 --keys "$tmp/client.pem" --connect-timeout 1 read --blocks 100
check "plain read (auto, the connect timeout ends the wait)" '[ $rc -eq 0 ] && has "^  device_model +EL100V2"'
# and over the plain link (writes without response)
tool --address C8:47:8C:00:00:02 --encryption off set ctrl_dc off --yes
check "set over ble (plain): applied" '[ $rc -eq 0 ] && has "^ctrl_dc \(register 2012\): on \(1\) -> off \(0\): applied"'
tool --address C8:47:8C:00:00:02 --encryption off --json read --blocks 100
check "plain read (off)" '[ $rc -eq 0 ] && has "\"transport\": \"ble\""'

# a dropped link: the transport reconnects and redoes the handshake
: > "$tmp/trace.log"
tool --address C8:47:8C:00:00:03 --keys "$tmp/client.pem" read
check "read across a dropped link" '[ $rc -eq 0 ] && has "^block 6000 "'
check "the link was dropped and made again" 'traced "sim closed the link" && [ $(grep -c acquire-notify "$tmp/trace.log") -ge 2 ]'

# an application's own poll() loop (examples/external-loop): one session,
# two stations on one transport (two notify sockets in its descriptor),
# the second dropping its link on every third request and reconnected from
# inside bluetti_session_process()
: > "$tmp/trace.log"
$WRAP "$B/examples/external-loop" --plugin-dir "$PLUGDIR" --sessions 1 --reads 4 --interval 100 \
    -o keys="$tmp/client.pem" ble C8:47:8C:00:00:01=EL100V2 C8:47:8C:00:00:03=EL100V2 \
    > "$tmp/out" 2> "$tmp/err"
rc=$?
check "external loop: both stations read four times" '[ $rc -eq 0 ] &&
    [ $(grep -c "^C8:47:8C:00:00:01 read 100 ok" "$tmp/out") -ge 4 ] &&
    [ $(grep -c "^C8:47:8C:00:00:03 read 100 ok" "$tmp/out") -ge 4 ]'
check "external loop: the dropped link came back" 'traced "sim closed the link" &&
    [ $(grep -c acquire-notify "$tmp/trace.log") -ge 3 ]'

# what goes wrong, said clearly
tool --address C8:47:8C:00:00:01 --keys "$tmp/otherapp.pem" read --blocks 100
check "wrong app key" '[ $rc -ne 0 ] && says "app key is not this station'"'"'s"'
tool --address C8:47:8C:00:00:01 --keys "$tmp/untrusted.pem" read --blocks 100
check "untrusted station key" '[ $rc -ne 0 ] && says "does not verify"'
tool --address C8:47:8C:00:00:09 --scan-timeout 0.2 --keys "$tmp/client.pem" read --blocks 100
check "unknown station" '[ $rc -ne 0 ] && says "no station with address C8:47:8C:00:00:09"'
tool --address C8:47 --keys "$tmp/client.pem" read
check "bad address" '[ $rc -eq 2 ] && says "not a Bluetooth address"'
tool --address C8:47:8C:00:00:01 --keys "$tmp/nothere.pem" read
check "missing keys file" '[ $rc -ne 0 ] && says "nothere.pem"'

tool --address C8:47:8C:00:00:04 --keys "$tmp/client.pem" --connect-timeout 1 read --blocks 100
check "a station silent after connect" '[ $rc -ne 0 ] && says "no challenge came"'
printf 'not a keys file\n' > "$tmp/garbage.pem"
tool --address C8:47:8C:00:00:01 --keys "$tmp/garbage.pem" read
check "a file that holds no keys" '[ $rc -ne 0 ] && says "no BLUETTI BLE APP KEY block" && ! says "serial number"'

# scan: address, name, model hint, encryption, signal (no keys needed)
tool scan --seconds 0.2
check "scan lists the stations" '[ $rc -eq 0 ] &&
    has "^C8:47:8C:00:00:01 +EL100V2$ENC_SN +EL100V2 +yes +-58 dBm$" &&
    has "^C8:47:8C:00:00:02 +EL100V2$PLAIN_SN +EL100V2 +unknown +-71 dBm$"'
tool --json --scan-timeout 0.3 scan
check "scan --json" '[ $rc -eq 0 ] && has "\"address\": \"C8:47:8C:00:00:03\", \"name\": \"EL100V22345000100078\", \"model_hint\": \"EL100V2\", \"encrypted\": true, \"rssi\": -80"'
check "scan ran a discovery" 'grep -q StartDiscovery "$tmp/bluez-calls.log" && grep -q StopDiscovery "$tmp/bluez-calls.log"'

# the simulators stop cleanly on SIGTERM, without memory errors
for p in $sims; do
    kill -TERM "$p"
    wait "$p"
    st=$?
    [ $st -eq 0 ] || { echo "read.sh: FAIL: bluetti-sim $p exited with $st" >&2; failures=$((failures + 1)); }
done
if grep -l "Sanitizer\|runtime error" "$tmp"/sim-*.log >&2; then
    echo "read.sh: FAIL: memory errors in bluetti-sim (the logs above)" >&2
    failures=$((failures + 1))
fi

[ $failures -eq 0 ] || fail "$failures check(s) failed"
exit 0

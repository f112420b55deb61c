#!/bin/sh
# bluetti-sim --ble from the command line: every usage mistake is named
# (exit 2), a keys file it cannot use fails at run time (exit 1), and a
# running station writes its ready file, takes one client, and stops
# cleanly on SIGTERM (the file and the socket removed).
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"
SIMBIN="$BLUETTI_TEST_BUILDDIR/tools/bluetti-sim"
IMG="$DEVICES/el100v2.json"

sim() {
    $BLUETTI_TEST_WRAPPER "$SIMBIN" "$@" > "$out" 2> "$err"
    rc=$?
    last="(bluetti-sim) $*"
}

sim --ble "$tmp/s.sock"
expect_rc 2
expect_err 'exactly one --device'
sim --ble "$tmp/s.sock" -d "$IMG" -d "$IMG"
expect_rc 2
expect_err 'start one bluetti-sim per station'
sim --ble "$tmp/s.sock" -d "$IMG"
expect_rc 2
expect_err 'needs --ble-keys FILE'
sim --ble "$tmp/s.sock" -d "$IMG" --ble-faults loud
expect_rc 2
expect_err "'loud' is not a link fault"
sim --ble "$tmp/s.sock" -d "$IMG" --ble-faults drop=x
expect_rc 2
expect_err "'drop=x' is not a link fault"
sim -d "$IMG" --ble-keys "$tmp/k.pem" --cert x.p12
expect_rc 2
expect_err '--ble-keys and --ble-faults go with --ble SOCKET'
printf 'nothing\n' > "$tmp/k.pem"
sim --ble "$tmp/s.sock" -d "$IMG" --ble-keys "$tmp/k.pem"
expect_rc 1
expect_err 'no BLUETTI BLE APP KEY block'
sim --ble "$tmp/s.sock" -d "$IMG" --ble-keys "$tmp/missing.pem"
expect_rc 1
expect_err 'cannot read the keys file'
long=$tmp/$(printf '%0120d' 0).sock
sim --ble "$long" -d "$IMG" --ble-faults plain
expect_rc 1
expect_err 'the path is longer than'

# a plain station: ready file, one client, SIGTERM
$BLUETTI_TEST_WRAPPER "$SIMBIN" --ble "$tmp/s.sock" -d "$IMG" --sn 2345000100077 \
    --ble-faults plain --ready-file "$tmp/ready" > "$out" 2> "$err" &
pid=$!
n=0
while [ ! -s "$tmp/ready" ] && [ $n -lt 200 ] && kill -0 $pid 2>/dev/null; do sleep 0.05; n=$((n + 1)); done
last="bluetti-sim --ble (running)"
[ -s "$tmp/ready" ] || fail "no ready file"
grep -q '^2345000100077$' "$tmp/ready" || fail "the ready file does not name the serial"
[ -S "$tmp/s.sock" ] || fail "no socket"
kill -TERM $pid
wait $pid
rc=$?
expect_rc 0
expect_out 'ready: 2345000100077 \(EL100V2, plain\)'
[ ! -e "$tmp/ready" ] || fail "the ready file is still there"
[ ! -e "$tmp/s.sock" ] || fail "the socket is still there"
finish

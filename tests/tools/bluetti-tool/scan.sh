#!/bin/sh
# bluetti-tool scan through a transport that is not Bluetooth: the
# simulator lists its device images (the command names no transport).
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

run $PLUG --transport sim --sim-device $DEVICES/el100v2.json --sim-device $DEVICES/el30v2.json scan
expect_rc 0
expect_out '^ADDRESS +NAME +MODEL HINT +ENCRYPTED +SIGNAL$'
expect_out '^2345000223861 +EL100V2 +EL100V2 +no +-$'
expect_out '^2337000104512 +EL30V2 +EL30V2 +no +-$'
[ ! -s "$err" ] || fail "scan printed on stderr"

run $PLUG --transport sim --sim-device $DEVICES/el100v2.json --json scan --seconds 1
expect_rc 0
expect_out '^\{"transport": "sim", "devices": \[\{"address": "2345000223861", "name": "EL100V2", "model_hint": "EL100V2", "encrypted": false, "rssi": null\}\]\}$'

# a transport without discovery says so (the loopback test transport)
run $PLUG --plugin-dir "$BLUETTI_TEST_BUILDDIR/tests/plugins/transport-loopback/.libs" --transport loopback --token open-sesame scan
expect_rc 2
expect_err 'the loopback transport cannot list devices'

run $SIM scan --seconds 0
expect_rc 2
expect_err 'seconds'
run $SIM scan extra
expect_rc 2
finish

#!/bin/sh
# bluetti-tool read and raw against the simulated device: tables, JSON,
# groups, failures with partial results (exit status 1).
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

# default groups of the EL100V2: core, grid, battery
run $SIM read
expect_rc 0
expect_out '^block 100 APP_HOME_DATA: [0-9]+ bytes, protocol version [0-9]+$'
expect_out '^  soc +[0-9]+ +%$'
expect_out '^  device_model +EL100V2'
expect_out '^block 1300 INV_GRID_INFO'
expect_out '^block 6000 PACK_MAIN_INFO'
[ ! -s "$err" ] || fail "read printed on stderr"

run $SIM read --blocks 1300
expect_rc 0
expect_out '^block 1300 '
expect_no_out '^block 100 '
expect_out '^  frequency +[0-9.]+ +Hz'

run $SIM read --group grid,battery
expect_rc 0
expect_out '^block 1300 '
expect_out '^block 6000 '
expect_no_out '^block 100 '

run $SIM read --blocks APP_HOME_DATA
expect_rc 0
expect_out '^block 100 '

run $SIM --json read --blocks 100,1300
expect_rc 0
expect_json_lines 1
expect_out '^\{"device": \{"sn": "[^"]+", "model": "EL100V2", "transport": "sim", "protocol_version": [0-9]+\}'
expect_out '"block": 100, "name": "APP_HOME_DATA"'
expect_out '"soc": \{"value": [0-9]+, "unit": "%"'
expect_out '"device_model": \{"value": "EL100V2"'
expect_out '"errors": \[\], "ok": true\}$'

# another model picks its own image from the data directory given
run $PLUG --transport sim --sim-device "$DEVICES/el30v2.json" --model EL30V2 read --blocks 100
expect_rc 0
expect_out '^  device_model +EL30V2'

# models by alias (case, spaces and dashes do not matter)
run $PLUG --transport sim --sim-device "$DEVICES/elite200v2.json" --model "elite-200-v2" --json read --blocks 100
expect_rc 0
expect_out '"model": "ELITE200V2"'

# an older protocol version hides the newer fields, with the reason
run $SIM --protocol-version 2000 read --blocks 100
expect_rc 0
expect_out 'protocol version 2000$'
# (block 100 gates nothing: real units carry all its fields; block 1100's
# temperatures need protocol 2005)
run $SIM --protocol-version 1 --json read --blocks 1100
expect_rc 0
expect_out '"absent": \{"[a-z_0-9]+": "needs a newer protocol version"'

# --evidence adds how well each field is confirmed
run $SIM --evidence read --blocks 100
expect_rc 0
expect_out '^  soc .*\[(device-confirmed|reference|unverified)\]'
run $SIM --evidence --json read --blocks 100
expect_out '"soc": \{[^}]*"evidence": "'

# sensitive fields are masked unless --show-secrets
run $SIM read --blocks 12002
expect_rc 0
expect_out '^  wifi_ssid +\*\*\*$'
expect_no_out 'HomeNet'
run $SIM --json read --blocks 12002
expect_out '"wifi_ssid": \{"value": "\*\*\*", "masked": true\}'
expect_no_out 'HomeNet'
run $SIM --show-secrets read --blocks 12002
expect_rc 0
expect_out '^  wifi_ssid +HomeNet-2G'
# a device decodes as its model does: the profile's overrides apply (the
# Elite 200 V2 and the AC180 report pack voltages x0.01, the AP300 its time
# to full in hours x0.1); the same bytes under another model read x0.1
run $PLUG --transport sim --sim-device "$DEVICES/elite200v2.json" --model ELITE200V2 read --blocks 100
expect_rc 0
expect_out '^  pack_voltage +40\.1 +V$'
run $PLUG --transport sim --sim-device "$DEVICES/ac180.json" --model AC180 read --blocks 6000
expect_rc 0
expect_out '^  voltage +52\.8 +V$'
run $PLUG --transport sim --sim-device "$DEVICES/ap300.json" --model AP300 read --blocks 100
expect_rc 0
expect_out '^  time_remaining +2\.5 +h$'
run $PLUG --model AP300 describe 100
expect_rc 0
expect_out '^  time_remaining: .*hours x0\.1 on the AP300'
run $PLUG --model NO_SUCH_MODEL describe 100
expect_rc 2
expect_err "unknown model 'NO_SUCH_MODEL'"

# so is the Bluetooth PIN of block 1
run $SIM read --blocks 1
expect_rc 0
expect_out '^  bt_pin +\*\*\*$'
expect_out '^  protocol_version +2001'
expect_no_out '482193'
run $SIM --show-secrets read --blocks 1
expect_rc 0
expect_out '^  bt_pin +482193'

# global options also work after the command
run read --blocks 100 $SIM --json
expect_rc 0
expect_json_lines 1

# a Modbus exception on one block: the others are still printed, exit 1,
# and the failed block is named on stderr
run $SIM --sim-faults exception=1300:2 read
expect_rc 1
expect_out '^block 100 '
expect_out '^block 6000 '
expect_no_out '^block 1300 '
expect_err '^bluetti-tool: block 1300 \(INV_GRID_INFO\) failed: .*Illegal data address.*; '
expect_err '^bluetti-tool: 1 of 3 blocks failed; '

run $SIM --sim-faults exception=1300:2 --json read
expect_rc 1
expect_json_lines 1
expect_out '"block": 100, "name": "APP_HOME_DATA"'
expect_out '"errors": \[\{"block": 1300, "name": "INV_GRID_INFO", "error": "[a-z_]+", "class": "protocol", "message": "[^"]*Illegal data address'
expect_out '"message": "[^"]*Illegal data address[^"]*", "remedy": "the device does not offer this block or register range"\}'
expect_out '"ok": false\}$'

# no answer at all: retried, then exit 1 (without --model the first read
# is the one that finds out the model)
run $SIM --sim-faults drop=1 --timeout 0.2 --retries 2 --retry-initial-delay 0.05 read --blocks 100
expect_rc 1
expect_err 'model of device .*no reply before the timeout.*gave up after 2 attempts.*give --model'
run $SIM --model EL100V2 --sim-faults drop=1 --timeout 0.2 --retries 2 --retry-initial-delay 0.05 read --blocks 100
expect_rc 1
expect_err 'did not answer|failed'

# one image and no --model: the image's model decodes (an Elite 200 V2's
# pack voltage is 40.1 V, not the 401 V of the Elite 100 V2's layout)
run $PLUG --transport sim --sim-device "$DEVICES/elite200v2.json" read --blocks 100
expect_rc 0
expect_out '^  pack_voltage +40\.1 +V'
expect_out 'device_model +Elite 200 V2'

# raw: the frames, then the values (the profile reads 17 registers of 1300)
run $SIM raw --block 1300
expect_rc 0
expect_out '^request +01 03 05 14 00 11 c5 0e$'
expect_out '^reply +01 03 22( [0-9a-f]{2}){36}$'
expect_out '^block 1300 INV_GRID_INFO'
expect_out '^ +phase_0_apparent +0 +VA'

# an explicit register count: the reference's frame F1 (16 registers)
run $SIM raw --block 1300 --register-count 16
expect_rc 0
expect_out '^request +01 03 05 14 00 10 04 ce$'
expect_out '^reply +01 03 20( [0-9a-f]{2}){34}$'

run $SIM --json raw --block 1300
expect_rc 0
expect_json_lines 1
expect_out '"frames": \[\{"direction": "request", "hex": "01 03 05 14 00 11 c5 0e"\}, \{"direction": "reply", "hex": "01 03 22 '
expect_out '"decoded": \{"block": 1300'

run $SIM raw --block 100 --register-count 4
expect_rc 0
expect_out '^request +01 03 00 64 00 04 '
expect_out '^reply +01 03 08 '

run $SIM --sim-faults exception=1300:2 raw --block 1300
expect_rc 1
expect_out '^reply +01 83 02 c0 f1$'
expect_err 'block 1300 \(INV_GRID_INFO\) failed'

finish

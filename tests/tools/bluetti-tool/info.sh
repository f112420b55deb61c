#!/bin/sh
# bluetti-tool plugins / models / blocks / describe, as tables and as JSON.
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

run $PLUG plugins
expect_rc 0
expect_out '^NAME +VERSION +PROVIDES +FILE'
expect_out '^transport-sim +[^ ]+ +transport sim '
expect_out '^transport-mqtt +[^ ]+ +transport mqtt '
expect_out '^profile-elite-v2 .*models EL30V2, EL100V2'
expect_out '^blocks-home .*blocks 1, 100'
expect_no_out 'refused'

run $PLUG --json plugins
expect_rc 0
expect_json_lines 1
expect_out '"name": "transport-sim"'
expect_out '"status": "loaded"'
expect_out '"transports": \["sim"\]'

# a directory with a file that is not a plugin: refused with the reason,
# the others still load
mkdir "$tmp/junk"
echo 'not a shared object' >"$tmp/junk/broken.so"
run --plugin-dir "$tmp/junk" $PLUG plugins
expect_rc 0
expect_out '^refused:'
expect_out "broken.so: .*cannot load it as a shared object"
expect_out '^transport-sim '
run --plugin-dir "$tmp/junk" $PLUG --json plugins
expect_out '"status": "refused"'
expect_out '"error": "[a-z_]+"'

run $PLUG models
expect_rc 0
expect_out '^EL100V2 \(Elite 100 V2\): type 31, protocol version 2000'
expect_out '^EL30V2 '
expect_out '^ +GROUP +BLOCKS +POLL +DEFAULT'
expect_out '^ +inverter +1100,1400,1500 +10 s +no'
expect_out '^ +core +100 +5 s +yes'

run $PLUG --json models
expect_rc 0
expect_json_lines 1
expect_out '"model": "EL100V2"'
expect_out '"name": "core", "blocks": \[100\]'

run $PLUG blocks
expect_rc 0
expect_out '^BLOCK +HEX +NAME'
expect_out '^100 +0x0064 +APP_HOME_DATA +info '
expect_out '^1300 +0x0514 +INV_GRID_INFO '
expect_out '^6000 +0x1770 +PACK_MAIN_INFO '

run $PLUG --json blocks
expect_rc 0
expect_json_lines 1
expect_out '"block": 1300, "name": "INV_GRID_INFO"'

run $PLUG describe 100
expect_rc 0
expect_out '^block 100 \(0x0064\) APP_HOME_DATA'
expect_out '^  FIELD +OFFSET +REG +TYPE +ORDER +TRANSFORMS +UNIT +REQUIRED +MIN PROTO +EVIDENCE'
expect_out '^  soc +4 +102 +u16 '
expect_out 'device-confirmed'

# by name (any case) and by hex id
run $PLUG describe app_home_data
expect_rc 0
expect_out '^block 100 '
run $PLUG describe 0x514
expect_rc 0
expect_out '^block 1300 \(0x0514\) INV_GRID_INFO'
expect_out 'scale:0\.1'

run $PLUG --json describe 1300
expect_rc 0
expect_json_lines 1
expect_out '"block": 1300'
expect_out '"op": "scale", "args": \[0\.1\]'

run $PLUG describe 99
expect_usage_error 'unknown block 99'
run $PLUG describe 70000
expect_usage_error "block '70000' is out of range"
run $PLUG describe
expect_usage_error 'describe needs one block'
run $PLUG describe 100 1300
expect_usage_error 'not several'

finish

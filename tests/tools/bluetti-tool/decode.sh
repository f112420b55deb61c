#!/bin/sh
# bluetti-tool decode: hex in every accepted form, stdin, whole frames,
# JSON, and bad input (exit status 2 with the position of the bad hex).
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

# Protocol reference, section 8.4, vector 1300-A: 50.0 Hz, 230.0 V, -5.2 A.
V1300A=01F4000000000000000000000000000000000000000000000000000008FCFFCC
# The same 30 bytes short (vector 1300-D): block 1300 is strict.
V1300D=01F400000000000000000000000000000000000000000000000000000000

run $PLUG decode --block 1300 "$V1300A"
expect_rc 0
expect_out '^block 1300 INV_GRID_INFO: 32 bytes, protocol version 2000$'
expect_out '^  frequency +50 +Hz'
expect_out '^  phase_0_voltage +230 +V'
expect_out '^  phase_0_current +-5\.2 +A'
[ ! -s "$err" ] || fail "decode printed on stderr"

# spaces, several arguments, lower case, by name
run $PLUG decode --block inv_grid_info 01 f4 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \
    00 00 00 00 00 00 00 00 00 00 00 00 08 fc ff cc
expect_rc 0
expect_out '^  phase_0_voltage +230 +V'

# from standard input, with line breaks
printf '01F400000000000000000000000000\n0000000000000000000000000008FCFFCC\n' >"$tmp/in.hex"
run_in "$tmp/in.hex" $PLUG decode --block 1300 -
expect_rc 0
expect_out '^  frequency +50 +Hz'

run $PLUG --json decode --block 1300 "$V1300A"
expect_rc 0
expect_json_lines 1
expect_out '^\{"block": 1300, "name": "INV_GRID_INFO", "length": 32, "protocol_version": 2000'
expect_out '"frequency": \{"value": 50(\.0)?, "unit": "Hz"\}'
expect_out '"phase_0_current": \{"value": -5\.2, "unit": "A"\}'
expect_out '"absent": \{'
expect_out '"warnings": \[\]'
expect_out "\"raw\": \"01f40000"

# protocol version override shows in the result
run $PLUG --json decode --block 1300 --protocol-version 2001 "$V1300A"
expect_rc 0
expect_out '"protocol_version": 2001'

# a short strict block does not decode: exit 1, warnings shown
run $PLUG decode --block 1300 "$V1300D"
expect_rc 1
expect_out 'INVALID'
expect_out 'warning: '
expect_err 'block 1300 \(INV_GRID_INFO\) did not decode'

# a whole Modbus reply frame: address 1, function 3, 34 bytes, CRC
run $PLUG --transport sim --sim-device "$DEVICES/el100v2.json" raw --block 1300
reply=$(sed -n 's/^reply *//p' "$out" | head -n 1)
if [ -n "$reply" ]; then
    run $PLUG decode --frame --block 1300 "$reply"
    expect_rc 0
    expect_out '^block 1300 INV_GRID_INFO: 34 bytes'
    # one byte of the CRC changed
    bad=$(echo "$reply" | sed 's/..$/00/')
    [ "$bad" != "$reply" ] || bad=$(echo "$reply" | sed 's/..$/01/')
    run $PLUG decode --frame --block 1300 "$bad"
    expect_rc 1
    expect_err 'not a valid read reply: .*CRC'
else
    fail "raw printed no reply frame to decode"
fi
run $PLUG decode --frame --block 1300 "01 83 02 c0 f1"
expect_rc 1
expect_err 'Modbus exception reply: code 2 \(Illegal data address\)'

# bad input
run $PLUG decode --block 1300 "01F4 00zz"
expect_usage_error "bad hex at character 8 \('z'\)"
expect_empty_out

run $PLUG decode --block 1300 "01F"
expect_usage_error 'bad hex'

run $PLUG decode --block 99 "$V1300A"
expect_usage_error 'unknown block 99'

run $PLUG decode "$V1300A"
expect_usage_error 'decode needs --block'

run $PLUG decode --block 1300
expect_usage_error 'decode needs the data; give it as hex'

run $PLUG decode --block 1300 --protocol-version x "$V1300A"
expect_usage_error "--protocol-version 'x' is not a whole number"

run $PLUG --model EL999 decode --block 1300 "$V1300A"
expect_usage_error "unknown model 'EL999'"

# no data at all (an empty argument, empty standard input) is an error,
# not a block decoded from 0 bytes
run $PLUG decode --block 100 ""
expect_usage_error 'the data is empty; give the payload as hex'
expect_empty_out
run_in /dev/null $PLUG decode --block 100 -
expect_usage_error 'the data is empty'
expect_empty_out
run $PLUG decode --block 100 " , 0x "
expect_usage_error 'the data is empty|bad hex'
expect_empty_out

# standard input that cannot be read (a directory): said so, not taken as
# empty data
if [ -d / ] && ! cat </ >/dev/null 2>&1; then
    run_in / $PLUG decode --block 100 -
    expect_usage_error 'cannot read standard input: Is a directory'
    expect_empty_out
fi

finish

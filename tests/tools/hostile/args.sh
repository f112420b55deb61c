#!/bin/sh
# Command-line values out of range or malformed, beyond tests/tools/bluetti-tool/usage.sh:
# overflowing integers, NaN, infinities, 1e400, values near the limits.
# Each is one usage error naming the option (exit status 2).
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

bad() {
    run $SIM "$@"
    expect_usage_error ""
    expect_empty_out
}
bad --port 99999999999999999999 read
bad --port -99999999999999999999 read
bad --port 4294967297 read
bad --port ' 1x' read
bad --timeout nan read
bad --timeout inf read
bad --timeout -inf read
bad --timeout 1e400 read
bad --timeout 3600.001 read
bad --connect-timeout 1e-400 read
bad --retries 101 read
bad --retries 18446744073709551617 read
bad --keepalive 4 read
bad --modbus-address -1 read
bad --protocol-version 65536 read
bad --retry-max-delay nan read
bad read --blocks 70000
bad raw --block -1
bad raw --block 65536
bad raw --block 100 --register-count 0
bad raw --block 100 --register-count 32769
bad raw --block 100 --register-count -1
bad listen --count 99999999999999999999
bad listen --interval 1e400
bad listen --interval nan

# the largest values accepted are accepted
run $SIM --port 65535 --modbus-address 1 --retries 100 --timeout 3600 read --blocks 100
expect_rc 0

# a 100 kB serial number and block list: refused with one line, no crash
long=$(awk 'BEGIN { for (i = 0; i < 100000; i++) printf "A" }')
run $SIM --sn "$long" read --blocks 100
expect_rc 2
expect_err_lines 1
run $SIM read --blocks "$long"
expect_rc 2
expect_err_lines 1

finish

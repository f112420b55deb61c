#!/bin/sh
# bluetti-tool: help, version, and every kind of bad usage (exit status 2,
# one "problem; remedy" line on stderr, nothing on stdout).
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

run --help
expect_rc 0
expect_out '^Usage: bluetti-tool'
expect_out 'Examples:'
expect_out '--transport sim read'
expect_out 'Exit status'
# the defaults it names are the real ones: the model the device reports
expect_no_out 'made from the serial'
expect_out '--model MODEL +model or alias, e.g. EL30V2 \(default: the model the$'

# and a random client id, in the help the mqtt plugin declares
run $PLUG --transport mqtt --help
expect_rc 0
expect_out '--client-id ID +MQTT client id \(default: bluetti_ and 8 random hex$'
expect_out '^ +digits, new for every run\)$'

run --version
expect_rc 0
expect_out '^bluetti-tool [0-9]+\.[0-9]+'

for c in read listen raw decode describe blocks models plugins transports docs help; do
    run "$c" --help
    expect_rc 0
    expect_out "^Usage: bluetti-tool .*$c"
    run help "$c"
    expect_rc 0
    expect_out "^Usage: bluetti-tool .*$c"
done
# --help needs no plugins, even when the plugin directory is wrong
run --plugin-dir "$tmp/nowhere" read --help
expect_rc 0

run
expect_usage_error 'no command given'
expect_empty_out

run frobnicate
expect_usage_error "unknown command 'frobnicate'"

run help frobnicate
expect_usage_error "unknown command 'frobnicate'"

run --frobnicate read
expect_usage_error "unknown option '--frobnicate'"

run -x read
expect_usage_error "unknown option '-x'"

run $SIM read --frobnicate
expect_usage_error "unknown option '--frobnicate' for read"

run $SIM read extra
expect_usage_error "takes no arguments"

# --port is transport-mqtt's (the default transport): its plugin must be found
run $PLUG --port
expect_usage_error 'option --port needs a value'
run --timeout
expect_usage_error 'option --timeout needs a value'

run --json=yes plugins
expect_usage_error 'takes no value'

# bad values, each named with the option and the accepted range
bad() {
    run $SIM "$@" read
    expect_usage_error "^bluetti-tool: ${1%%=*} "
    expect_empty_out
}
bad --port abc
bad --port 0
bad --port 65536
bad --port=12x
bad --keepalive -5
bad --timeout 0
bad --timeout soon
bad --timeout -1
bad --connect-timeout 0
bad --retries 0
bad --retries 1.5
bad --retries many
bad --retry-initial-delay 0
bad --retry-initial-delay x
bad --retry-max-delay 0
bad --modbus-address 256
bad --protocol-version 0
bad --protocol-version v2
bad --sn ''
bad --option noequals

run $SIM --retries 0 read
expect_err "out of range; give a whole number from 1 to"

run $SIM --retry-max-delay 0.2 read
expect_usage_error 'retry-max-delay 0.2 is smaller than the initial retry delay 0.5'

run $SIM --retry-initial-delay 2 --retry-max-delay 1 read
expect_usage_error 'smaller than the initial retry delay 2'

run $SIM --quiet --verbose read
expect_usage_error 'contradict'

# unknown names, with the list of known ones
run $PLUG --transport carrier-pigeon read
expect_usage_error "unknown transport 'carrier-pigeon'; give --transport with one of: .*sim"

run $SIM --model EL999 read
expect_usage_error "unknown model 'EL999'; give --model with one of: .*EL100V2"

run $SIM read --group nosuch
expect_usage_error "model EL100V2 has no group 'nosuch'; its groups are: core"

run $SIM read --blocks 99
expect_usage_error 'unknown block 99'

run $SIM read --blocks NO_SUCH_BLOCK
expect_usage_error "unknown block 'NO_SUCH_BLOCK'"

run $SIM read --blocks 100 --group core
expect_usage_error '--blocks and --group exclude each other'

run $SIM read --blocks ,
expect_usage_error 'names no block'

run $SIM listen --interval 0
expect_usage_error "--interval '0' is out of range"

run $SIM listen --count -1
expect_usage_error "--count '-1' is out of range"

run $SIM raw
expect_usage_error 'raw needs --block'

run $SIM raw --block 99
expect_usage_error 'unknown block 99.*--register-count'

run $SIM raw --block 100 --register-count 0
expect_usage_error "--register-count '0' is out of range"

# transport option problems are usage errors too
run $PLUG --transport sim --sim-device "$tmp/nonexistent.json" read
expect_usage_error "sim-device '.*nonexistent.json' cannot be read \(No such file or directory\)"
run $SIM --sim-faults bogus=1 read
expect_usage_error 'cannot open the sim transport: .*bogus'

# plugin directories
run --plugin-dir "$tmp/nowhere" blocks
expect_usage_error "plugin directory $tmp/nowhere: No such file or directory"

: >"$tmp/afile"
run --plugin-dir "$tmp/afile" blocks
expect_usage_error "is not a directory"

mkdir "$tmp/open"
chmod 777 "$tmp/open"
run --plugin-dir "$tmp/open" blocks
expect_usage_error "writable by other users.*chmod o-w"

# with no plugins at all, the errors say how to get some
mkdir -p "$tmp/empty"
run --no-plugin-search --plugin-dir "$tmp/empty" describe 100
expect_usage_error 'no plugins are loaded: give --plugin-dir'

finish

#!/bin/sh
# Transport options come from the transport's plugin: a third transport
# built outside the tool (tests/plugins/transport-loopback/transport_loopback.c: fill INT,
# mode one-of, token SECRET + $LOOPBACK_TOKEN, tag repeatable) is driven
# from the command line and the config file with no change to the tool,
# and bad keys and values are refused with the key, the value and what is
# accepted.
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

LB="$PLUG --plugin-dir $BLUETTI_TEST_BUILDDIR/tests/plugins/transport-loopback/.libs --transport loopback"
READ="raw --block 100 --register-count 2"
unset LOOPBACK_TOKEN

# listed, with every key
run $LB transports
expect_rc 0
expect_out '^loopback: test transport answering every read from a fixed buffer \[transport-loopback\]'
expect_out '^  fill=N +value of every register read \(default 4660; 0 to$'
expect_out '^ +65535\)$'
expect_out '^  mode=MODE +how reads are answered \(default fill; one of: fill,$'
expect_out '^  token=T +the access token \(required; else \$LOOPBACK_TOKEN\)'
expect_out '^  tag=TEXT .*repeatable'
expect_out '^mqtt \(default\): '
expect_out '^sim: '
run $LB --json transports
expect_rc 0
expect_json_lines 1
expect_out '"name": "loopback"'
expect_out '"name": "fill", "type": "int", "default": "4660", "min": 0\.0, "max": 65535\.0'
expect_out '"name": "token", "type": "secret"'

# --help: the tool's options, then the transport's, from its table
run $LB --help
expect_rc 0
expect_out '^Usage: bluetti-tool'
expect_out "^Options of transport 'loopback', declared by its plugin transport-loopback"
expect_out '^  --fill N +value of every register read \(default 4660; 0 to$'
expect_out '^  --token T +the access token'
expect_no_out '^  --broker'

# the flags work: every register holds --fill (4097 = 0x1001)
run $LB --fill 4097 --token open-sesame $READ
expect_rc 0
expect_out '10 01 10 01'
# the default (4660 = 0x1234), the secret from its environment variable,
# a transport option after the command, repeatable tags
LOOPBACK_TOKEN=open-sesame run $LB -v $READ --tag a --tag b
expect_rc 0
expect_out '12 34 12 34'
expect_err 'fill 4660, 2 tag\(s\)'
expect_no_err 'open-sesame'
# -o KEY=VALUE reaches the same keys
run $LB -o fill=1 -o token=open-sesame $READ
expect_rc 0
expect_out '00 01 00 01'
# the one-of option
run $LB --token open-sesame --mode exception $READ
expect_rc 1
expect_err 'exception'

# the config file: the same keys (dashes or underscores), the command line wins
cfg="$tmp/lb.conf"
printf 'fill = 258\ntoken = open-sesame\ntag = x\n' >"$cfg"
chmod 600 "$cfg"
run --config "$cfg" $LB $READ
expect_rc 0
expect_out '01 02 01 02'
expect_no_err 'warning'
run --config "$cfg" $LB --fill 3 $READ
expect_rc 0
expect_out '00 03 00 03'
chmod 644 "$cfg"
run --config "$cfg" $LB $READ
expect_rc 0
expect_err "warning: config file $cfg holds a password and other users can read it"
expect_no_err 'open-sesame'

# a missing or wrong secret; the hint comes from the declaration
run $LB $READ
expect_usage_error "the loopback transport needs --token T or LOOPBACK_TOKEN \(the access token\)"
run $LB --token wrong $READ
expect_usage_error "cannot open the loopback transport: the token was not accepted; check --token or LOOPBACK_TOKEN"
expect_no_err 'wrong'

# bad values: the key, the value and what is accepted
run $LB --token open-sesame --fill abc $READ
expect_usage_error "^bluetti-tool: --fill 'abc' is not a whole number in decimal digits; give a whole number from 0 to 65535"
run $LB --token open-sesame --fill 65536 $READ
expect_usage_error "^bluetti-tool: --fill '65536' is out of range; give a whole number from 0 to 65535"
run $LB --token open-sesame --fill=-1 $READ
expect_usage_error "^bluetti-tool: --fill '-1' is out of range"
run $LB --token open-sesame --mode medium $READ
expect_usage_error "^bluetti-tool: --mode 'medium' is not accepted; give one of: fill, exception"
run $LB --token open-sesame --fill
expect_usage_error 'option --fill needs a value \(N\)'
printf 'token = open-sesame\n\nfill = lots\n' >"$tmp/bad.conf"
chmod 600 "$tmp/bad.conf"
run --config "$tmp/bad.conf" $LB $READ
expect_usage_error "$tmp/bad.conf:3: fill 'lots' is not a whole number"
# unknown keys: on the command line, in the file, with -o (from the core)
run $LB --token open-sesame --colour blue $READ
expect_usage_error "unknown option '--colour'"
printf 'colour = blue\n' >"$tmp/key.conf"
run --config "$tmp/key.conf" $LB --token open-sesame $READ
expect_usage_error "$tmp/key.conf:1: unknown key 'colour'"
run $LB --token open-sesame -o colour=blue $READ
expect_usage_error "unknown option 'colour' for transport 'loopback'; known: fill, mode, token, tag"
run $LB --token open-sesame -o fill=x $READ
expect_usage_error "option fill of transport 'loopback': 'x' is not a whole number"
# another transport's option: checked against its declaration, then ignored
run $LB --token open-sesame --keepalive 30 $READ
expect_rc 0
expect_err "warning: --keepalive is an option of transport 'mqtt', not of 'loopback'; it is ignored"
run $LB --token open-sesame --keepalive 1 $READ
expect_usage_error "^bluetti-tool: --keepalive '1' is out of range; give a whole number from 5 to 65535"

# a command that opens no device does not look at a transport's files
printf 'cert = %s/nonexistent.p12\n' "$tmp" >"$tmp/cert.conf"
run --config "$tmp/cert.conf" $PLUG describe 100
expect_rc 0
run --config "$tmp/cert.conf" $PLUG --transport mqtt --sn X --password p read
expect_usage_error "cert '$tmp/nonexistent.p12' cannot be read \\(No such file or directory\\)"

finish

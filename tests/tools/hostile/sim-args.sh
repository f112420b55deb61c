#!/bin/sh
# bluetti-sim's command line against hostile values (its ordinary mistakes
# are in tests/tools/bluetti-sim/sim-cli.sh): numbers are decimal digits only (a '.'
# fraction for seconds), range checked, exit status 2 with a message naming
# the option and the value; values and file names in messages are escaped
# and cut; the password file must be a regular file with a sane first line
# (exit status 1 otherwise, at once: a FIFO must not hang the simulator).
# No broker is needed: with valid values it stops at the certificate.
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

command -v timeout >/dev/null 2>&1 || { echo "SKIP: no timeout(1)" >&2; exit 77; }
TOOL="$BLUETTI_TEST_BUILDDIR/tools/bluetti-sim"
IMG="$DEVICES/el100v2.json"
ESC=$(printf '\033')
NOCERT="$tmp/none.p12"
export BLUETTI_CERT_PASSWORD=x

# sim_bad OPTION VALUE TEXT: a usage error (2) whose message holds TEXT
sim_bad() {
    once "sim/$1/$((${#2} % 3))" || return 0 # at most three values per option under valgrind
    run --device "$IMG" --cert "$NOCERT" "$1" "$2"
    expect_rc 2
    expect_err_text "$3"
    expect_plain_err
    expect_empty_out
}

# sim_ok ARGS...: accepted, so the run gets as far as the certificate (1)
sim_ok() {
    run --device "$IMG" --cert "$NOCERT" "$@"
    expect_rc 1
    expect_err "cannot read the certificate file"
}

for v in 0x10 ' 5' '5 ' +5 -5 1e3 inf nan 5.0 '' 5x 0 65536 99999999999999999999; do
    sim_bad --port "$v" "--port $v: expected a port number from 1 to 65535"
done
for v in 0x10 ' 60' +60 1e2 4 65536 60.5; do
    sim_bad --keepalive "$v" "--keepalive $v: expected 5 to 65535 seconds"
done
for v in ' 1' +1 0x1 1e0 2 -1 1.0; do
    sim_bad --qos "$v" "--qos $v: expected 0 or 1"
done
for v in 0x10 0X1p4 inf nan ' 5' '5 ' +5 1e3 1E-3 .5 5. 0 0.0 -1 3600.5 \
         "$(awk 'BEGIN { for (i = 0; i < 400; i++) printf "9" }')"; do
    shownv=$(printf '%.64s' "$v")
    [ "${#v}" -le 64 ] || shownv="$shownv..."
    sim_bad --connect-timeout "$v" "--connect-timeout $shownv: expected seconds (> 0, <= 3600)"
done

# values in messages: escaped, cut after 64 bytes
sim_bad --port "1${ESC}[31m" "--port 1\\x1b[31m: expected"
long=$(awk 'BEGIN { for (i = 0; i < 10000; i++) printf "7" }')
sim_bad --port "$long" "--port $(printf '%.64s' "$long")...: expected"
len=$(wc -c <"$err" | tr -d ' ')
[ "$len" -lt 400 ] || fail "the message is $len bytes long"
run --device "$IMG" --cert "$NOCERT" "--bogus${ESC}[2J"
expect_rc 2
expect_err_text "unknown option --bogus\\x1b[2J"
expect_plain_err
run --device "$IMG" --cert "$NOCERT" "extra${ESC}]0;title"
expect_rc 2
expect_err_text "unexpected argument 'extra\\x1b]0;title'"
expect_plain_err
run --sn "1${ESC}[1m" --device "$IMG" --cert "$NOCERT"
expect_rc 2
expect_err_text "--sn 1\\x1b[1m: give it after the --device"
expect_plain_err
run --device "$IMG" --sn "a/${ESC}[1m" --cert "$NOCERT"
expect_rc 2
expect_err_text "--sn a/\\x1b[1m: not a usable serial"
expect_plain_err
run --device "$IMG" --cert "$NOCERT" --faults "delay=${ESC}[1m"
expect_rc 2
expect_err_text "--faults delay=\\x1b[1m:"
expect_plain_err
run --device "$tmp/dev${ESC}[1m.json" --cert "$NOCERT"
expect_rc 1
expect_err_text "cannot load the device image $tmp/dev\\x1b[1m.json"
expect_plain_err

# the accepted forms
sim_ok --port 8883 --keepalive 60 --qos 0 --connect-timeout 10
sim_ok --port 65535 --keepalive 5 --qos 1 --connect-timeout 0.5
sim_ok --port 1 --keepalive 65535 --connect-timeout 3600

# the password file: a FIFO, a directory, a missing file, a too long line
if command -v mkfifo >/dev/null 2>&1; then
    mkfifo "$tmp/pw.fifo"
    rc=0
    timeout 30 $BLUETTI_TEST_WRAPPER "$TOOL" --device "$IMG" --cert "$NOCERT" \
        --password-file "$tmp/pw.fifo" >"$out" 2>"$err" </dev/null || rc=$?
    last="--password-file FIFO"
    [ "$rc" -ne 124 ] || fail "bluetti-sim blocked on a FIFO given as --password-file"
    expect_rc 1
    expect_err "cannot read the password file .*pw.fifo: not a regular file"
fi
mkdir "$tmp/pwdir"
run --device "$IMG" --cert "$NOCERT" --password-file "$tmp/pwdir"
expect_rc 1
expect_err "cannot read the password file .*pwdir: not a regular file"
run --device "$IMG" --cert "$NOCERT" --password-file "$tmp/missing${ESC}[1m"
expect_rc 1
expect_err_text "cannot read the password file $tmp/missing\\x1b[1m: No such file"
expect_plain_err
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "p"; print "" }' >"$tmp/pw.long"
run --device "$IMG" --cert "$NOCERT" --password-file "$tmp/pw.long"
expect_rc 1
expect_err "first line is longer than 1022 characters"
printf 'secret\nsecond line\n' >"$tmp/pw.ok"
run --device "$IMG" --cert "$NOCERT" --password-file "$tmp/pw.ok"
expect_rc 1
expect_err "cannot read the certificate file"

# numbers are documented in --help
run --help
expect_rc 0
expect_out "exponents \\(1e3\\), hex"

finish

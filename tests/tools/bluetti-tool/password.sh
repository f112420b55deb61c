#!/bin/sh
# bluetti-tool and the certificate password, with the mqtt transport and a
# real PKCS#12 file made here: --password, BLUETTI_CERT_PASSWORD, the
# terminal prompt, no terminal, a wrong password. The broker port is not
# listening, so a correct password ends in a connection failure (exit 1)
# and every certificate or password problem in a usage error (exit 2).
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

openssl=${OPENSSL_BIN:-$(command -v openssl)}
if [ -z "$openssl" ]; then
    echo "SKIP: openssl not found (apt-get install openssl)" >&2
    exit 77
fi
"$openssl" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 -subj /CN=bluetti-tool-test \
    >/dev/null 2>&1 || { echo "openssl req failed" >&2; exit 1; }
"$openssl" pkcs12 -export -inkey "$tmp/key.pem" -in "$tmp/cert.pem" -out "$tmp/client.p12" \
    -passout pass:s3cret >/dev/null 2>&1 || { echo "openssl pkcs12 failed" >&2; exit 1; }
rm -f "$tmp/key.pem"

# A local port nobody listens on (connections are refused at once).
port=1
MQ="$PLUG --transport mqtt --sn TEST0001 --broker 127.0.0.1 --port $port --timeout 1 --retries 1 --connect-timeout 1"

run $MQ --cert "$tmp/client.p12" --password s3cret read --blocks 100
expect_rc 1
expect_err_lines 1
expect_err '^bluetti-tool: cannot open the mqtt transport: .*; check --broker, --port'
expect_no_err 's3cret'

BLUETTI_CERT_PASSWORD=s3cret run $MQ --cert "$tmp/client.p12" read --blocks 100
expect_rc 1
expect_err 'cannot open the mqtt transport'

# the option wins over the environment
BLUETTI_CERT_PASSWORD=wrong run $MQ --cert "$tmp/client.p12" --password s3cret read --blocks 100
expect_rc 1

run $MQ --cert "$tmp/client.p12" --password wrong read --blocks 100
expect_usage_error 'check --password or BLUETTI_CERT_PASSWORD'

BLUETTI_CERT_PASSWORD=wrong run $MQ --cert "$tmp/client.p12" read --blocks 100
expect_usage_error 'check --password or BLUETTI_CERT_PASSWORD'

# from a config file
printf 'password = s3cret\n' >"$tmp/pw.conf"
chmod 600 "$tmp/pw.conf"
run --config "$tmp/pw.conf" $MQ --cert "$tmp/client.p12" read --blocks 100
expect_rc 1
expect_err 'cannot open the mqtt transport'

# no password and no terminal to ask on
if command -v setsid >/dev/null 2>&1; then
    last="(setsid) --cert client.p12 read"
    rc=0
    # shellcheck disable=SC2086
    setsid -w $BLUETTI_TEST_WRAPPER "$TOOL" $MQ --cert "$tmp/client.p12" read --blocks 100 \
        >"$out" 2>"$err" </dev/null || rc=$?
    expect_usage_error 'and there is no terminal to ask on; give --password P or set BLUETTI_CERT_PASSWORD'
else
    echo "note: setsid not found, the no-terminal case is not checked" >&2
fi

# the prompt on a terminal (script(1) provides one)
if command -v script >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
    cmd="$BLUETTI_TEST_WRAPPER '$TOOL' $MQ --cert '$tmp/client.p12' read --blocks 100"
    rc=0
    (sleep 3; printf 's3cret\n') | timeout 90 script -q -e -c "$cmd" "$tmp/typescript" \
        >/dev/null 2>&1 || rc=$?
    last="(script) --cert client.p12 read, password typed"
    expect_rc 1
    grep -q "Password for certificate $tmp/client.p12: " "$tmp/typescript" \
        || fail "no password prompt on the terminal"
    grep -q 'cannot open the mqtt transport' "$tmp/typescript" \
        || fail "the typed password was not used"
    if [ -z "$BLUETTI_TEST_WRAPPER" ] && grep -q 's3cret' "$tmp/typescript"; then
        fail "the password was echoed"
    fi
fi

# certificate problems
run $MQ --cert "$tmp/nonexistent.p12" --password s3cret read --blocks 100
expect_usage_error "cert '$tmp/nonexistent.p12' cannot be read \(No such file or directory\)"

echo "not a certificate" >"$tmp/junk.p12"
run $MQ --cert "$tmp/junk.p12" --password s3cret read --blocks 100
expect_usage_error 'cannot open the mqtt transport'

# no certificate and no stored cloud login: "not logged in" (exit 4), naming
# both ways out
XDG_CONFIG_HOME="$tmp/no-login"
export XDG_CONFIG_HOME
run $PLUG --transport mqtt --sn TEST0001 read --blocks 100
unset XDG_CONFIG_HOME
expect_rc 4
expect_err_lines 1
expect_err "not logged in to the Bluetti cloud; run 'bluetti-tool login --account EMAIL' first, or give --cert FILE"

run $PLUG --transport mqtt --cert "$tmp/client.p12" --password s3cret read --blocks 100
expect_usage_error 'needs the device.s serial number; give --sn SERIAL'

run $PLUG --transport mqtt --sn 'BAD SERIAL' --cert "$tmp/client.p12" --password s3cret --broker 127.0.0.1 --port $port read --blocks 100
expect_usage_error "serial number 'BAD SERIAL' is not valid"

finish

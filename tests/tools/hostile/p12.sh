#!/bin/sh
# Hostile PKCS#12 files given to bluetti-tool with the mqtt transport: empty,
# 50 MB, random bytes, truncated, a certificate without its key, a FIFO, a
# directory, a device node. Each is refused before any connection with one
# clear line and exit status 2; no password appears in the output. The
# broker port (1 on loopback) is closed, so a good file ends in exit 1.
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

openssl=${OPENSSL_BIN:-$(command -v openssl)}
if [ -z "$openssl" ]; then
    echo "SKIP: openssl not found (apt-get install openssl)" >&2
    exit 77
fi
"$openssl" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 -subj /CN=bluetti-hostile \
    >/dev/null 2>&1 || { echo "openssl req failed" >&2; exit 1; }
"$openssl" pkcs12 -export -inkey "$tmp/key.pem" -in "$tmp/cert.pem" -out "$tmp/good.p12" \
    -passout pass:s3cret >/dev/null 2>&1 || { echo "openssl pkcs12 failed" >&2; exit 1; }
"$openssl" pkcs12 -export -nokeys -in "$tmp/cert.pem" -out "$tmp/nokey.p12" \
    -passout pass:s3cret >/dev/null 2>&1 || { echo "openssl pkcs12 -nokeys failed" >&2; exit 1; }
rm -f "$tmp/key.pem"

MQ="$PLUG --transport mqtt --sn TEST0001 --broker 127.0.0.1 --port 1 --timeout 1 --retries 1 --connect-timeout 1"

# $1: file, $2: regex the message must match
refused() {
    run $MQ --cert "$1" --password s3cret read --blocks 100
    expect_rc 2
    expect_err_lines 1
    expect_err "^bluetti-tool: .*$2"
    expect_no_err 's3cret'
    expect_empty_out
}

: >"$tmp/empty.p12"
refused "$tmp/empty.p12" 'the file is empty'

# 50 MB (sparse): refused by size, not read into memory
dd if=/dev/zero of="$tmp/huge.p12" bs=1 count=0 seek=50M 2>/dev/null \
    || head -c 52428800 /dev/zero >"$tmp/huge.p12"
refused "$tmp/huge.p12" 'far too large'

# random bytes (fixed, so the test is repeatable)
awk 'BEGIN { srand(7); for (i = 0; i < 2048; i++) printf "%c", int(rand() * 255) + 1 }' \
    >"$tmp/corrupt.p12"
refused "$tmp/corrupt.p12" 'not a PKCS#12 .*damaged'

# the first 300 bytes of a good file
dd if="$tmp/good.p12" of="$tmp/trunc.p12" bs=300 count=1 2>/dev/null
refused "$tmp/trunc.p12" 'not a PKCS#12 .*damaged'

# text instead of DER
printf -- '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' >"$tmp/pem.p12"
refused "$tmp/pem.p12" 'not a PKCS#12'

refused "$tmp/nokey.p12" 'no private key'

mkdir "$tmp/dir.p12"
refused "$tmp/dir.p12" 'not a regular file'

refused /dev/null 'not a regular file'

# a good file: the certificate is accepted, the connection then fails
run $MQ --cert "$tmp/good.p12" --password s3cret read --blocks 100
expect_rc 1
expect_err 'cannot open the mqtt transport: connection to 127.0.0.1:1'
expect_no_err 's3cret'

finish

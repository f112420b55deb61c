#!/bin/sh
# A FIFO given as the PKCS#12 file must be refused at once (not a regular
# file), not block the tool forever waiting for a writer. Listed in
# XFAIL_TESTS until plugins/transport-mqtt/tls.c opens the file with
# O_NONBLOCK (see docs/SECURITY.md, "Known issues").
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

command -v mkfifo >/dev/null 2>&1 || { echo "SKIP: no mkfifo" >&2; exit 77; }
command -v timeout >/dev/null 2>&1 || { echo "SKIP: no timeout(1)" >&2; exit 77; }
mkfifo "$tmp/fifo.p12"
MQ="$PLUG --transport mqtt --sn TEST0001 --broker 127.0.0.1 --port 1 --timeout 1 --retries 1 --connect-timeout 1"
last="--cert fifo.p12 read"
rc=0
# shellcheck disable=SC2086
timeout 10 $BLUETTI_TEST_WRAPPER "$TOOL" $MQ --cert "$tmp/fifo.p12" --password s3cret \
    read --blocks 100 >"$out" 2>"$err" </dev/null || rc=$?
[ "$rc" -ne 124 ] || fail "the tool blocked on a FIFO given as --cert"
expect_rc 2
expect_err 'not a regular file'
finish

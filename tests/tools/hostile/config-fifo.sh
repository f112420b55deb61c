#!/bin/sh
# A FIFO given as --config must be refused at once (not a regular file),
# not block the tool waiting for a writer. Listed in XFAIL_TESTS until
# tools/bluetti-tool-src/settings.c opens the file with O_NONBLOCK and
# refuses anything but a regular file (see docs/SECURITY.md).
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

command -v mkfifo >/dev/null 2>&1 || { echo "SKIP: no mkfifo" >&2; exit 77; }
command -v timeout >/dev/null 2>&1 || { echo "SKIP: no timeout(1)" >&2; exit 77; }
mkfifo "$tmp/fifo.conf"
last="--config fifo.conf read"
rc=0
# shellcheck disable=SC2086
timeout 10 $BLUETTI_TEST_WRAPPER "$TOOL" --config "$tmp/fifo.conf" $SIM read --blocks 100 \
    >"$out" 2>"$err" </dev/null || rc=$?
[ "$rc" -ne 124 ] || fail "the tool blocked on a FIFO given as --config"
expect_rc 2
expect_err 'not a regular file|is a FIFO'
finish

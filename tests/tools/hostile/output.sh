#!/bin/sh
# bluetti-tool's output and exit statuses under trouble:
# - stdout that cannot be written (/dev/full): exit status 1 and one
#   message naming the reason, for every kind of output; listen stops
#   instead of reading on for nobody;
# - Ctrl-C / SIGTERM while the tool waits in a blocking library call (the
#   protocol version probe of a device that does not answer): it stops at
#   once with 130 / 143, not after all the retries with 1;
# - every exit status is documented in --help.
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

command -v timeout >/dev/null 2>&1 || { echo "SKIP: no timeout(1)" >&2; exit 77; }

# run_full ARGS...: like run, with stdout on /dev/full (never hangs)
run_full() {
    last="$* > /dev/full"
    rc=0
    # shellcheck disable=SC2086
    timeout 120 $BLUETTI_TEST_WRAPPER "$TOOL" "$@" >/dev/full 2>"$err" </dev/null || rc=$?
    : >"$out"
}

if [ -c /dev/full ] && ! (echo x >/dev/full) 2>/dev/null; then
    # shellcheck disable=SC2086 # $SIM is a list of options
    for args in "read --blocks 100" "read --blocks 100,1300" "--json read --blocks 100" \
                "raw --block 100" "--json listen --blocks 100 --interval 0.01 --count 0" \
                "listen --blocks 100 --interval 0.01 --count 0"; do
        run_full $SIM $args
        expect_rc 1
        expect_err_lines 1
        expect_err "^bluetti-tool: cannot write the output(: No space left on device)?; "
    done
    # shellcheck disable=SC2086
    for args in "docs" "blocks" "describe 100" "--json models" "plugins"; do
        run_full $PLUG $args
        expect_rc 1
        expect_err_lines 1
        expect_err "^bluetti-tool: cannot write the output"
    done
    run_full --help
    expect_rc 1
    expect_err "^bluetti-tool: cannot write the output"
    # shellcheck disable=SC2086
    run_full $PLUG decode --block 100 00
    expect_rc 1
    expect_err "^bluetti-tool: cannot write the output"
else
    echo "no /dev/full: the write-error checks are skipped" >&2
fi

# A device that never answers (the simulator answers only Modbus address 1):
# the protocol version probe would wait 100 attempts of 60 s. The signal is
# sent once the device is added (the -v line "serving"), so during the probe.
for sig in INT TERM; do
    case $sig in INT) want=130 ;; TERM) want=143 ;; esac
    # shellcheck disable=SC2086 # $SIM is a list of options
    $BLUETTI_TEST_WRAPPER "$TOOL" $SIM -v --modbus-address 7 --timeout 60 --retries 100 \
        read --blocks 100 >"$out" 2>"$err" </dev/null &
    pid=$!
    i=0
    while ! grep -q 'serving' "$err" 2>/dev/null && [ "$i" -le 600 ]; do
        i=$((i + 1))
        sleep 0.1
    done
    sleep 0.5
    kill -"$sig" "$pid"
    # give it 30 s to stop, then end it (the check has failed)
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -le 300 ]; do
        i=$((i + 1))
        sleep 0.1
    done
    stuck=no
    if kill -0 "$pid" 2>/dev/null; then
        stuck=yes
        kill -KILL "$pid"
    fi
    rc=0
    wait "$pid" || rc=$?
    last="read with --modbus-address 7, SIG$sig during the version probe"
    [ "$stuck" = no ] || fail "SIG$sig did not stop the tool within 30 s"
    expect_rc $want
    expect_empty_out
    expect_no_err "did not answer"
done

# every exit status is documented
run --help
expect_rc 0
for code in "0 success" "1 device" "2 usage" "130 interrupted" "143 terminated"; do
    expect_out "$code"
done
expect_out "output could not be written"

finish

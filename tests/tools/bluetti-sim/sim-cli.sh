#!/bin/sh
# bluetti-sim's command line: --help and --version, usage mistakes (exit 2
# with a message naming the problem), run-time failures (exit 1). No broker
# is needed: the run-time failures happen before any connection.
set -u
B=${BLUETTI_TEST_BUILDDIR:-.}
S=${BLUETTI_TEST_SRCDIR:-.}
WRAP=${BLUETTI_TEST_WRAPPER:-}
SIM=$B/tools/bluetti-sim
IMG=$S/data/devices/el100v2.json
failures=0

# check STATUS PATTERN ARGS...: bluetti-sim ARGS exits with STATUS and says PATTERN
check() {
    want=$1
    pat=$2
    shift 2
    out=$(BLUETTI_CERT_PASSWORD= $WRAP "$SIM" "$@" 2>&1 < /dev/null)
    st=$?
    if [ "$st" -ne "$want" ] || ! printf '%s\n' "$out" | grep -q -e "$pat"; then
        echo "FAIL: bluetti-sim $*: status $st (wanted $want), output:"
        printf '%s\n' "$out" | sed 's/^/    /'
        failures=$((failures + 1))
    else
        echo "ok: bluetti-sim $* -> $st"
    fi
}

check 0 'fault' --help
check 0 'disconnect=5' -h
check 0 '^bluetti-sim [0-9]' --version
check 2 'no device' 
check 2 'no --cert' --device "$IMG"
check 2 'unknown option --bogus' --device "$IMG" --cert x.p12 --bogus
check 2 '--port 0: expected a port number' --device "$IMG" --cert x.p12 --port 0
check 2 '--port needs a value' --device "$IMG" --cert x.p12 --port
check 2 'give it after the --device' --sn 123 --device "$IMG" --cert x.p12
check 2 'already has a serial' --device "$IMG" --sn 1 --sn 2 --cert x.p12
check 2 '--faults delay=abc' --device "$IMG" --cert x.p12 --faults delay=abc
check 2 '--qos 2: expected 0 or 1' --device "$IMG" --cert x.p12 --qos 2
check 2 "unexpected argument 'extra'" --device "$IMG" --cert x.p12 extra
check 2 'two devices have the serial' --device "$IMG" --device "$IMG" --cert x.p12
check 2 'not a usable serial' --device "$IMG" --sn 'a/b' --cert x.p12
check 1 'cannot load the device image /nonexistent/dev.json' --device /nonexistent/dev.json --cert x.p12
check 1 'cannot read the certificate file /nonexistent/c.p12' --device "$IMG" --cert /nonexistent/c.p12
check 1 'cannot read the password file' --device "$IMG" --cert x.p12 --password-file /nonexistent/pw

# --live: the image's envelope must be one the cloud knows
tmpimg=$(mktemp "${TMPDIR:-/tmp}/bluetti-simcli.XXXXXX") || exit 1
sed 's/"envelope": "new"/"envelope": "v9"/' "$IMG" > "$tmpimg"
check 1 '"envelope" must be "new", "old" or "raw"' --live --device "$tmpimg" --cert x.p12
sed 's/"address": 1,/"address": 300,/' "$IMG" > "$tmpimg"
check 1 '"address" must be a Modbus address 0..247' --live --device "$tmpimg" --cert x.p12
check 2 "unknown option --live=yes" --live=yes --device "$IMG" --cert x.p12
rm -f "$tmpimg"

[ $failures -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
exit 0

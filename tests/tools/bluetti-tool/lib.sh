# Shared helpers for the bluetti-tool shell tests (sourced, POSIX sh).
#
#   run ARGS...            run the tool; sets $rc, files $out and $err
#   expect_rc N            the last run exited with N
#   expect_out RE / expect_err RE      extended regex found in stdout / stderr
#   expect_no_out RE / expect_no_err RE
#   expect_err_lines N     stderr has exactly N lines
#   expect_err_text TEXT   stderr holds TEXT (a fixed string, not a regex)
#   expect_plain_err / expect_plain_out   only printable ASCII and newlines
#                          (no escape sequence or control byte got through)
#   finish                 exit 1 if anything failed
#   bt_check_fail MSG      count a failed check and show the last run
#
# A test with its own set-up (the cloud tests: their own run, temp dir and
# trap) sets BT_CHECKS_ONLY=1 and its own $out, $err, $rc and $last before
# sourcing this file: it then gets bt_check_fail, the expect_* checks and
# finish, and nothing else is touched.
#
# The tool runs as $BLUETTI_TEST_WRAPPER "$BLUETTI_TEST_BUILDDIR/tools/bluetti-tool",
# so `make check-valgrind` checks every run for leaks and errors.

if [ -z "${BT_CHECKS_ONLY:-}" ]; then
: "${BLUETTI_TEST_BUILDDIR:=.}"
: "${BLUETTI_TEST_SRCDIR:=.}"
: "${BLUETTI_TEST_PLUGIN_DIR:=$BLUETTI_TEST_BUILDDIR/plugins/.libs}"
TOOL="$BLUETTI_TEST_BUILDDIR/tools/bluetti-tool"
DEVICES="$BLUETTI_TEST_SRCDIR/data/devices"
PLUG="--no-plugin-search --plugin-dir $BLUETTI_TEST_PLUGIN_DIR"
SIM="$PLUG --transport sim --sim-device $DEVICES/el100v2.json"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bluetti-tool-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
out="$tmp/stdout"
err="$tmp/stderr"
failures=0
last=""

# Keep the developer's own config file and password out of the tests.
XDG_CONFIG_HOME="$tmp/xdg"
HOME="$tmp/home"
mkdir -p "$XDG_CONFIG_HOME" "$HOME"
export XDG_CONFIG_HOME HOME
unset BLUETTI_CERT_PASSWORD
BLUETTI_PLUGIN_PATH=
export BLUETTI_PLUGIN_PATH

run() {
    last="$*"
    rc=0
    # shellcheck disable=SC2086 # the wrapper is a command line
    $BLUETTI_TEST_WRAPPER "$TOOL" "$@" >"$out" 2>"$err" </dev/null || rc=$?
}

# Like run, with standard input from the file $1.
run_in() {
    input=$1
    shift
    last="$* < $input"
    rc=0
    # shellcheck disable=SC2086
    $BLUETTI_TEST_WRAPPER "$TOOL" "$@" >"$out" 2>"$err" <"$input" || rc=$?
}

# once KEY: true the first time KEY is seen. Under a test wrapper (make
# check-valgrind) long tables of bad values are thinned with it to one value
# per option and kind of error: every error path still runs under valgrind,
# and the whole tables run in the plain and sanitizer builds.
once_seen=""
once() {
    [ -z "${BLUETTI_TEST_WRAPPER:-}" ] && return 0
    case "$once_seen|" in *"|$1|"*) return 1 ;; esac
    once_seen="$once_seen|$1"
    return 0
}

# the tool tests' name for a failed check
fail() { bt_check_fail "$@"; }
fi

failures=${failures:-0}
last=${last:-}
rc=${rc:-0}

bt_check_fail() {
    failures=$((failures + 1))
    echo "FAIL: $*" >&2
    echo "  command: bluetti-tool $last" >&2
    echo "  exit status: $rc" >&2
    echo "  --- stdout (first 20 lines):" >&2
    head -n 20 "$out" | sed 's/^/  | /' >&2
    echo "  --- stderr (first 20 lines):" >&2
    head -n 20 "$err" | sed 's/^/  | /' >&2
}

expect_rc() {
    [ "$rc" -eq "$1" ] || bt_check_fail "expected exit status $1"
}

expect_out() {
    grep -Eq -- "$1" "$out" || bt_check_fail "stdout does not match /$1/"
}

expect_err() {
    grep -Eq -- "$1" "$err" || bt_check_fail "stderr does not match /$1/"
}

expect_no_out() {
    if grep -Eq -- "$1" "$out"; then bt_check_fail "stdout unexpectedly matches /$1/"; fi
}

expect_no_err() {
    if grep -Eq -- "$1" "$err"; then bt_check_fail "stderr unexpectedly matches /$1/"; fi
}

expect_err_lines() {
    n=$(wc -l <"$err" | tr -d ' ')
    [ "$n" -eq "$1" ] || bt_check_fail "expected $1 line(s) on stderr, got $n"
}

expect_err_text() {
    grep -Fq -- "$1" "$err" || bt_check_fail "stderr does not hold '$1'"
}

expect_plain_err() {
    n=$(LC_ALL=C tr -d '\040-\176\n' <"$err" | wc -c | tr -d ' ')
    [ "$n" -eq 0 ] || bt_check_fail "stderr holds $n raw control or non-ASCII byte(s)"
}

expect_plain_out() {
    n=$(LC_ALL=C tr -d '\040-\176\n' <"$out" | wc -c | tr -d ' ')
    [ "$n" -eq 0 ] || bt_check_fail "stdout holds $n raw control or non-ASCII byte(s)"
}

expect_empty_out() {
    [ ! -s "$out" ] || bt_check_fail "expected no output on stdout"
}

# A usage error: exit 2 and one "bluetti-tool: problem; remedy" line.
expect_usage_error() {
    expect_rc 2
    expect_err_lines 1
    expect_err "^bluetti-tool: .*; .*"
    [ -z "$1" ] || expect_err "$1"
}

# Every line of stdout is one valid JSON document (checked with python3 or
# jq when one is installed; otherwise only the shape is checked).
expect_json_lines() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json, sys
for line in open(sys.argv[1]):
    json.loads(line)' "$out" 2>"$tmp/json.err" || { cat "$tmp/json.err" >&2; bt_check_fail "stdout is not JSON lines"; }
    elif command -v jq >/dev/null 2>&1; then
        jq -e . "$out" >/dev/null 2>"$tmp/json.err" || bt_check_fail "stdout is not JSON"
    else
        grep -vq '^{.*}$' "$out" && bt_check_fail "stdout is not JSON lines"
    fi
    n=$(wc -l <"$out" | tr -d ' ')
    [ -z "$1" ] || [ "$n" -eq "$1" ] || bt_check_fail "expected $1 JSON line(s), got $n"
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    exit 0
}

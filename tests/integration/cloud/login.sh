#!/bin/sh
# bluetti-tool login / devices / logout and --sn read through the stored
# login, against bluetti-sim --cloud: what is stored (modes, no plaintext
# password, no certificate password), what is written (strace: only the
# profile and the bundle, through temp files renamed into place), the exit
# codes (3 account refused, 4 not logged in / no such station), and a login
# that renews itself after the cloud expired the token.
set -u
. "${BLUETTI_TEST_SRCDIR:-.}/tests/integration/cloud/harness.sh"
cloud_init login-tool
cloud_pki
cloud_write_config "$CT/cloud.json"
cloud_start_api "$CT/cloud.json"
cloud_tool_env
XDG_CONFIG_HOME="$CT/xdg"
HOME="$CT/home"
mkdir -p "$HOME"
export XDG_CONFIG_HOME HOME
BLUETTI_PLUGIN_PATH=
export BLUETTI_PLUGIN_PATH
P="$XDG_CONFIG_HOME/bluetti"
out="$CT/out"
err="$CT/err"
failures=0

run() {
    last="$*"
    rc=0
    # shellcheck disable=SC2086
    $WRAP "$TOOL" --no-config "$@" >"$out" 2>"$err" </dev/null || rc=$?
}
BT_CHECKS_ONLY=1
. "$S/tests/tools/bluetti-tool/lib.sh"
mode() { stat -c %a "$1" 2>/dev/null; }
# No file under the profile directory holds the text $1.
expect_nowhere() {
    if grep -rqF -- "$1" "$P" 2>/dev/null; then bt_check_fail "a stored file holds $2"; fi
}

# ---- not logged in --------------------------------------------------------
run devices
expect_rc 4
expect_err "no stored login.*bluetti-tool login"
run $PLUG --sn 2345000223861 read
expect_rc 4
expect_err "not logged in.*bluetti-tool login"
run logout
expect_rc 4
expect_err_lines 1
run login --api-url "$API" --cafile "$CA"
expect_rc 2
expect_err "needs the account: give --account"
run login --account alice@example.com --api-url "http://127.0.0.1:$CLOUD_API_PORT"
expect_rc 2
expect_err "https://"
# no password anywhere and no terminal to ask on
run login --account alice@example.com --api-url "$API" --cafile "$CA"
expect_rc 2
expect_err "BLUETTI_ACCOUNT_PASSWORD"
[ ! -e "$P" ] || bt_check_fail "a refused login created $P"

# ---- the cloud refuses the account -----------------------------------------
run login --account alice@example.com --account-password wrong-one --api-url "$API" --cafile "$CA"
expect_rc 3
expect_err "password for alice@example.com is wrong"
expect_err_lines 1
run login --account nobody@example.com --account-password x --api-url "$API" --cafile "$CA"
expect_rc 3
expect_err "no account nobody@example.com"
run login --account carol@example.com --account-password Carol-pw-3 --api-url "$API" --cafile "$CA"
expect_rc 3
expect_err "revoked"
[ ! -e "$P/cloud-profile.json" ] || bt_check_fail "a refused login stored a profile"
# an API we do not trust
run login --account alice@example.com --account-password Alice-pw-1 --api-url "$API"
expect_rc 1
expect_err "not trusted.*--cafile"
# nothing listening
run login --account alice@example.com --account-password Alice-pw-1 --api-url https://127.0.0.1:1 --cafile "$CA"
expect_rc 1
expect_err "cannot reach"

# ---- log in (password from the environment), watched by strace -----------
# (LeakSanitizer cannot run under ptrace: off for this one run)
# shellcheck disable=SC2086
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" BLUETTI_ACCOUNT_PASSWORD=Alice-pw-1 strace -f -qq -e trace=openat,open,creat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat \
    -o "$CT/strace" "$TOOL" --no-config login --account alice@example.com --api-url "$API" \
    --cafile "$CA" >"$out" 2>"$err" </dev/null
rc=$?
last="login --account alice@example.com (under strace)"
expect_rc 0
expect_out "Logged in to the Bluetti cloud as alice@example.com"
expect_out "$P/cloud-profile.json"
expect_out "$P/cloud-cert.p12"
expect_out "EL100V2 +EL100V22345000223861 +2345000223861 +online"
expect_out "AC300 +AC3002237000112233 +2237000112233 +offline"
# every file opened for writing is a temp file in the profile directory,
# renamed onto the profile or the bundle; nothing else is written
# (a coverage build's gcov counters, *.gcda, are the instrumentation's, not the tool's)
grep -E 'open(at)?\(.*O_(WRONLY|RDWR|CREAT)' "$CT/strace" | grep -v '/dev/tty\|/dev/null' |
    grep -v '\.gcda"' > "$CT/writes"
while IFS= read -r line; do
    case "$line" in
        *"\"$P/.cloud-profile.json."*|*"\"$P/.cloud-cert.p12."*) ;;
        *) bt_check_fail "login wrote a file it should not: $line" ;;
    esac
done < "$CT/writes"
[ "$(wc -l < "$CT/writes")" -eq 2 ] || bt_check_fail "login opened $(wc -l < "$CT/writes") files for writing, expected 2"
grep -q "rename(\"$P/.cloud-cert.p12.[^\"]*\", \"$P/cloud-cert.p12\")" "$CT/strace" || bt_check_fail "the bundle was not renamed into place"
grep -q "rename(\"$P/.cloud-profile.json.[^\"]*\", \"$P/cloud-profile.json\")" "$CT/strace" || bt_check_fail "the profile was not renamed into place"
# modes, no leftovers, no secrets in clear
[ "$(mode "$P")" = 700 ] || bt_check_fail "profile directory mode $(mode "$P"), expected 700"
[ "$(mode "$P/cloud-profile.json")" = 600 ] || bt_check_fail "profile mode $(mode "$P/cloud-profile.json")"
[ "$(mode "$P/cloud-cert.p12")" = 600 ] || bt_check_fail "bundle mode $(mode "$P/cloud-cert.p12")"
[ -z "$(find "$P" -name '.*' -type f)" ] || bt_check_fail "temp files left in $P"
expect_nowhere "Alice-pw-1" "the plaintext account password"
expect_nowhere "$BT_CLOUD_PFX_PASSWORD" "the certificate password"
"$OPENSSL_BIN" pkcs12 -legacy -in "$P/cloud-cert.p12" -passin "pass:$BT_CLOUD_PFX_PASSWORD" -nokeys -noout 2>/dev/null ||
    "$OPENSSL_BIN" pkcs12 -in "$P/cloud-cert.p12" -passin "pass:$BT_CLOUD_PFX_PASSWORD" -nokeys -noout 2>/dev/null ||
    bt_check_fail "the stored bundle does not open with the certificate password"
grep -q '"password_sha256"' "$P/cloud-profile.json" || bt_check_fail "no password hash in the profile"
# the bundle is stored encrypted: no key in clear
if grep -aq "PRIVATE KEY" "$P/cloud-cert.p12"; then bt_check_fail "the bundle holds a key in clear"; fi

# ---- devices ----------------------------------------------------------------
# the API's CA file given at login is remembered
run devices
expect_rc 0
expect_out "Stations of alice@example.com \(2\)"
expect_out "AC300 +AC3002237000112233 +2237000112233 +offline"
run --json devices --cached
expect_rc 0
python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert [x["sub_sn"] for x in d] == ["2345000223861", "2237000112233"], d
assert d[0]["online"] is True and d[1]["online"] is False
assert d[1]["has_conn_secret"] is True and d[0]["protocol_version"] == 2001' "$out" || bt_check_fail "devices --json"
[ "$(mode "$P/cloud-profile.json")" = 600 ] || bt_check_fail "devices rewrote the profile with mode $(mode "$P/cloud-profile.json")"

# ---- a failed login keeps the stored one byte for byte ------------------------
cp "$P/cloud-profile.json" "$CT/before.json"
run login --account alice@example.com --account-password wrong-one --api-url "$API" --cafile "$CA"
expect_rc 3
cmp -s "$P/cloud-profile.json" "$CT/before.json" || bt_check_fail "a refused login changed the stored profile"

# ---- --sn through the stored login ---------------------------------------------
run $PLUG --sn 999 read
expect_rc 4
expect_err "no station with serial 999; its stations are: EL100V22345000223861, AC3002237000112233"
run $PLUG -v --sn 2345000223861 --connect-timeout 1 read
expect_err "station EL100V22345000223861 \(EL100V2\) through the stored login of alice@example.com"
run $PLUG -v --sn ac3002237000112233 --connect-timeout 1 read
expect_err "station AC3002237000112233 \(AC300\) through the stored login"
# a profile others can read is refused
chmod 644 "$P/cloud-profile.json"
run $PLUG --sn 2345000223861 read
expect_rc 2
expect_err "chmod 600"
chmod 600 "$P/cloud-profile.json"

# ---- logout -----------------------------------------------------------------
run logout
expect_rc 0
expect_out "Removed $P/cloud-profile.json"
expect_out "Removed $P/cloud-cert.p12"
[ ! -e "$P" ] || bt_check_fail "logout left $P"
run logout
expect_rc 4

# ---- the cloud expires the token: the stored login renews itself --------------
run login --account bob@example.com --account-password Bob-pw-2 --api-url "$API" --cafile "$CA"
expect_rc 0
tok1=$(sed -n 's/.*"token": "\(.*\)".*/\1/p' "$P/cloud-profile.json")
sleep 3 # bob's tokens live 2 s
run devices
expect_rc 0
expect_out "EL30V2 +EL30V22345000000002"
tok2=$(sed -n 's/.*"token": "\(.*\)".*/\1/p' "$P/cloud-profile.json")
[ -n "$tok1" ] && [ "$tok1" != "$tok2" ] || bt_check_fail "the expired token was not renewed in the profile"
expect_nowhere "Bob-pw-2" "bob's plaintext password"
run logout
expect_rc 0

cloud_stop "$CLOUD_API_PID" "bluetti-sim --cloud"
finish

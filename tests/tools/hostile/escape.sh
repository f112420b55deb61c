#!/bin/sh
# Untrusted text quoted in bluetti-tool's messages is escaped and cut:
# config keys and values, command-line values, file names, hex given to
# decode, file names from a plugin directory. An escape sequence (ESC [ ...)
# or another control byte must never reach the terminal; printable ASCII is
# shown as it is, every other byte (and '\') as \xNN, and a quoted value is
# cut after 64 bytes with "...". Each failure stays one usage error (exit 2).
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

ESC=$(printf '\033')
SOH=$(printf '\001')
DEL=$(printf '\177')

# shellcheck disable=SC2086 # $SIM is a list of options
cfg() { run --config "$1" $SIM read --blocks 100; }

# stderr holds no raw ESC byte (counted with grep -c, as a user would)
expect_no_esc() {
    n=$(grep -c "$ESC" "$err" || true)
    [ "$n" -eq 0 ] || fail "stderr holds a raw ESC byte on $n line(s)"
}

# -- config keys ---------------------------------------------------------------

# a key with ESC [ 31 m (red), SOH, DEL and a backslash
printf 'ti\033[31mme\001out\177\\x = 2\n' >"$tmp/esc.conf"
cfg "$tmp/esc.conf"
expect_usage_error "esc.conf:1: unknown key"
expect_err_text "unknown key 'ti\\x1b[31mme\\x01out\\x7f\\x5cx';"
expect_no_esc
expect_plain_err
expect_empty_out
# the same check with od: no byte 033 (ESC) or 001 in the message
if od -An -c "$err" | grep -Eq '033|001|177'; then fail "od finds raw control bytes"; fi

# a 60 000-byte unknown key (lines up to 64 KiB are read): cut after 64
# bytes, the message stays short
awk 'BEGIN { printf "\033"; for (i = 0; i < 60000; i++) printf "k"; print " = 1" }' \
    >"$tmp/longkey.conf"
cfg "$tmp/longkey.conf"
expect_usage_error "longkey.conf:1: unknown key"
keys=$(awk 'BEGIN { for (i = 0; i < 63; i++) printf "k" }')
expect_err_text "unknown key '\\x1b$keys...';"
expect_no_err "k{64}"
expect_no_esc
len=$(wc -c <"$err" | tr -d ' ')
[ "$len" -lt 400 ] || fail "the message is $len bytes long"

# a key of exactly 64 bytes is shown whole, without "..."
k64=$(awk 'BEGIN { for (i = 0; i < 64; i++) printf "q" }')
printf '%s = 1\n' "$k64" >"$tmp/k64.conf"
cfg "$tmp/k64.conf"
expect_usage_error "unknown key '$k64';"

# a key with a UTF-8 character and a C1 control (U+009B, CSI) as UTF-8
printf 'caf\303\251\302\233 = 1\n' >"$tmp/utf8.conf"
cfg "$tmp/utf8.conf"
expect_usage_error ""
expect_err_text "unknown key 'caf\\xc3\\xa9\\xc2\\x9b';"
expect_plain_err

# -- config values ---------------------------------------------------------------

printf 'port = 1\033]0;owned\007\n' >"$tmp/val.conf"
cfg "$tmp/val.conf"
expect_usage_error ""
expect_err_text "val.conf:1: port '1\\x1b]0;owned\\x07' is not a whole number"
expect_no_esc
expect_plain_err

awk 'BEGIN { printf "timeout = \""; for (i = 0; i < 5000; i++) printf "\033[1m"; print "\"" }' \
    >"$tmp/longval.conf"
cfg "$tmp/longval.conf"
# 64 bytes are 16 times ESC [ 1 m
expect_usage_error "longval.conf:1: timeout '(\\\\x1b\\[1m){16}\\.\\.\\.' is not a decimal number"
expect_no_esc
len=$(wc -c <"$err" | tr -d ' ')
[ "$len" -lt 400 ] || fail "the message is $len bytes long"

printf 'json = yes\033[2J\n' >"$tmp/flag.conf"
cfg "$tmp/flag.conf"
expect_usage_error "flag.conf:1: json 'yes\\\\x1b\\[2J' is not a yes/no value"
expect_no_esc

printf 'option = \033noequals\n' >"$tmp/opt.conf"
cfg "$tmp/opt.conf"
expect_usage_error "opt.conf:1: option '\\\\x1bnoequals' is not KEY=VALUE"
expect_no_esc

# -- file names ------------------------------------------------------------------

# a config file whose name holds ESC: named escaped, in each message about it
bad="$tmp/x${ESC}[31m.conf"
printf 'bogus = 1\n' >"$bad"
cfg "$bad"
expect_usage_error "x\\\\x1b\\[31m\\.conf:1: unknown key 'bogus'"
expect_no_esc
run --config "$tmp/missing${ESC}[5m" $SIM read
expect_usage_error "cannot read config file .*missing\\\\x1b\\[5m: No such file"
expect_no_esc
mkdir "$tmp/dir${ESC}"
run --config "$tmp/dir${ESC}" $SIM read
expect_usage_error "config file .*dir\\\\x1b is a directory"
expect_no_esc
run --plugin-dir "$tmp/nowhere${ESC}[1m" blocks
expect_usage_error "plugin directory .*nowhere\\\\x1b\\[1m: No such file"
expect_no_esc
# shellcheck disable=SC2086
run $PLUG --transport mqtt --sn TEST0001 --cert "$tmp/cert${ESC}[1m.p12" read
expect_usage_error "cert '.*cert\\\\x1b\\[1m\\.p12' cannot be read"
expect_no_esc

# -- command-line values -----------------------------------------------------------

# shellcheck disable=SC2086
run $SIM "${ESC}[2J"
expect_usage_error "unknown command '\\\\x1b\\[2J'"
expect_no_esc
run "--x${ESC}[1m=secret" read
expect_usage_error "unknown option '--x\\\\x1b\\[1m';"
expect_no_err secret
expect_no_esc
run "-${ESC}" read
expect_usage_error "unknown option '-\\\\x1b'"
expect_no_esc
# shellcheck disable=SC2086
run $SIM --model "EL${ESC}]0;title${SOH}" read
expect_usage_error "unknown model 'EL\\\\x1b\\]0;title\\\\x01'"
expect_no_esc
# shellcheck disable=SC2086
run $PLUG --transport "sim${ESC}[1m" read
expect_usage_error "unknown transport 'sim\\\\x1b\\[1m'"
expect_no_esc
# shellcheck disable=SC2086
run $SIM --sn "A${ESC}[1mB" read --blocks 100
expect_usage_error "serial number 'A\\\\x1b\\[1mB' is not valid"
expect_no_esc
# a 100 kB serial number is cut after 64 bytes
long=$(awk 'BEGIN { for (i = 0; i < 100000; i++) printf "A" }')
# shellcheck disable=SC2086
run $SIM --sn "$long" read --blocks 100
expect_usage_error "serial number 'A{64}\\.\\.\\.' is not valid"
len=$(wc -c <"$err" | tr -d ' ')
[ "$len" -lt 400 ] || fail "the message is $len bytes long"
# shellcheck disable=SC2086
run $SIM read --group "core${ESC}[1m"
expect_usage_error "has no group 'core\\\\x1b\\[1m'"
expect_no_esc
# shellcheck disable=SC2086
run $SIM read --blocks "100,NAME${ESC}[1m"
expect_usage_error "unknown block 'NAME\\\\x1b\\[1m'"
expect_no_esc
# shellcheck disable=SC2086
run $SIM read "extra${DEL}${ESC}"
expect_usage_error "takes no arguments, got 'extra\\\\x7f\\\\x1b'"
expect_no_esc
# shellcheck disable=SC2086
run $SIM -o "${ESC}[1m" read
expect_usage_error "option '\\\\x1b\\[1m' is not KEY=VALUE"
expect_no_esc
# shellcheck disable=SC2086
run $SIM --timeout "5${ESC}[1m" read
expect_usage_error "--timeout '5\\\\x1b\\[1m' is not a decimal number"
expect_no_esc
# shellcheck disable=SC2086
run $PLUG describe "X${ESC}[1m"
expect_usage_error "unknown block 'X\\\\x1b\\[1m'"
expect_no_esc
# shellcheck disable=SC2086
run $PLUG help "${ESC}c"
expect_usage_error "unknown command '\\\\x1bc'"
expect_no_esc

# -- decode: the bad hex character is shown escaped ----------------------------------

# shellcheck disable=SC2086
run $PLUG decode --block 100 "00 ${ESC}[1m"
expect_usage_error "bad hex at character 4 \\('\\\\x1b'\\)"
expect_no_esc
printf '00 11 \033[2J' >"$tmp/esc.hex"
# shellcheck disable=SC2086
run_in "$tmp/esc.hex" $PLUG decode --block 100 -
expect_usage_error "bad hex at character 7 \\('\\\\x1b'\\)"
expect_no_esc
printf '00\000\000' >"$tmp/nul.hex"
# shellcheck disable=SC2086
run_in "$tmp/nul.hex" $PLUG decode --block 100 -
expect_usage_error "bad hex at character 3: a NUL byte"

# -- file names from a plugin directory ------------------------------------------------

mkdir "$tmp/plug"
chmod 755 "$tmp/plug"
printf 'not a plugin' >"$tmp/plug/evil${ESC}[31m.so"
run --no-plugin-search --plugin-dir "$tmp/plug" -v plugins
expect_rc 0
expect_out "evil\\\\x1b\\[31m\\.so:"
expect_plain_out
expect_err "evil\\\\x1b\\[31m\\.so"
expect_no_esc
expect_plain_err
run --no-plugin-search --plugin-dir "$tmp/plug" --json plugins
expect_rc 0
expect_plain_out
expect_out 'evil\\u001[bB]\[31m'

finish

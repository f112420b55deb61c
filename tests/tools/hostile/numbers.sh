#!/bin/sh
# Strict numbers in bluetti-tool: every numeric option, on the command line
# and in a config file, takes decimal digits only (a '.' fraction where
# seconds are asked for). Hex, exponents, inf, nan, spaces and '+' are
# refused, and so is a value out of range; the message names the option,
# the value and the allowed range (exit status 2, nothing on stdout). The
# documented forms keep working.
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

command -v timeout >/dev/null 2>&1 || { echo "SKIP: no timeout(1)" >&2; exit 77; }

# bad WHERE OPTION VALUE WHAT RANGE: the option refused with its value
#   WHERE: global (before the command), read/listen/raw/decode (after it)
#   WHAT: "not a whole number", "not a decimal number" or "out of range"
bad() {
    where=$1 opt=$2 val=$3 what=$4 range=$5
    once "bad/$where/$opt/$what" || return 0
    case $where in
    global) run $SIM "--$opt" "$val" read --blocks 100 ;;
    listen) # one quick round if the value were taken; never hang
        saved=$BLUETTI_TEST_WRAPPER
        BLUETTI_TEST_WRAPPER="timeout 60 $saved"
        run $SIM listen --blocks 100 --count 1 --interval 0.01 "--$opt" "$val"
        BLUETTI_TEST_WRAPPER=$saved ;;
    raw) run $SIM raw --block 100 "--$opt" "$val" ;;
    decode) run $PLUG decode --block 100 "--$opt" "$val" 00 ;;
    esac
    expect_usage_error ""
    expect_err_text "--$opt '$val' is $what"
    expect_err_text "$range"
    expect_empty_out
}

# the same value for OPTION in a config file (global options only)
bad_cfg() {
    opt=$1 val=$2 what=$3 range=$4
    once "cfg/$opt/$what" || return 0
    printf '%s = "%s"\n' "$opt" "$val" >"$tmp/n.conf"
    run --config "$tmp/n.conf" $SIM read --blocks 100
    expect_usage_error ""
    expect_err_text "n.conf:1: $opt '$val' is $what"
    expect_err_text "$range"
    expect_empty_out
}

SECONDS_3600="a number greater than 0, at most 3600"

# -- the cases named in the review: --timeout 0x10, inf, nan, ' 5', 1e3 ---------
for v in 0x10 0X10 inf -inf INF nan NaN ' 5' '5 ' 1e3 1E3 1e-3 +5 .5 5. 1..5 1.5.0 \
         '' - . 0x 5s 1,5 0b101 1_000; do
    bad global timeout "$v" "not a decimal number" "$SECONDS_3600, written like 2 or 0.5"
    bad_cfg timeout "$v" "not a decimal number" "$SECONDS_3600"
done
# a tab is refused too, and shown escaped
run $SIM --timeout "$(printf '5\t')" read --blocks 100
expect_usage_error "--timeout '5\\\\x09' is not a decimal number"
# exponent notation is refused (documented in --help)
run --help
expect_out "exponents \\(1e3\\), hex"

# -- every decimal option: syntax and range -----------------------------------------
for opt in timeout connect-timeout retry-initial-delay retry-max-delay; do
    for v in 0x1 1e1 inf nan ' 1' +1; do
        bad global "$opt" "$v" "not a decimal number" "$SECONDS_3600"
        bad_cfg "$opt" "$v" "not a decimal number" "$SECONDS_3600"
    done
    # 400 nines overflow a double; 0.(400 zeros)1 underflows it
    for v in 0 -0 -1 3600.001 \
             "$(awk 'BEGIN { for (i = 0; i < 400; i++) printf "9" }')" \
             "0.$(awk 'BEGIN { for (i = 0; i < 400; i++) printf "0" }')1"; do
        len=short
        [ "${#v}" -le 64 ] || len=long
        once "range/$opt/$len" || continue
        shownv=$(printf '%.64s' "$v")
        [ "${#v}" -le 64 ] || shownv="$shownv..."
        run $SIM "--$opt" "$v" read --blocks 100
        expect_usage_error ""
        expect_err_text "--$opt '$shownv' is out of range; give $SECONDS_3600"
        printf '%s = %s\n' "$opt" "$v" >"$tmp/n.conf"
        run --config "$tmp/n.conf" $SIM read --blocks 100
        expect_usage_error ""
        expect_err_text "n.conf:1: $opt '$shownv' is out of range; give $SECONDS_3600"
    done
done
for v in 0x1 1e1 inf nan ' 1' +1; do
    bad listen interval "$v" "not a decimal number" "a number greater than 0, at most 86400"
done
for v in 0 -1 86400.5 1000000; do
    bad listen interval "$v" "out of range" "a number greater than 0, at most 86400"
done

# -- every whole-number option: syntax and range ------------------------------------
# option min max (the range in the message is "a whole number from MIN to MAX")
for spec in "port 1 65535" "keepalive 5 65535" "retries 1 100" "modbus-address 0 247" \
            "protocol-version 1 65535"; do
    set -- $spec
    opt=$1 lo=$2 hi=$3
    range="give a whole number from $lo to $hi"
    for v in 0x10 1e2 1.0 ' 10' +10 nan; do
        bad global "$opt" "$v" "not a whole number in decimal digits" "$range"
        bad_cfg "$opt" "$v" "not a whole number in decimal digits" "$range"
    done
    for v in $((lo - 1)) $((hi + 1)) -0 99999999999999999999; do
        bad global "$opt" "$v" "out of range" "$range"
        bad_cfg "$opt" "$v" "out of range" "$range"
    done
done
for v in 0x10 1e2 1.5 ' 3' +3 nan; do
    bad listen count "$v" "not a whole number in decimal digits" "from 0 to 1000000000"
    bad raw register-count "$v" "not a whole number in decimal digits" "from 1 to 32768"
    bad decode protocol-version "$v" "not a whole number in decimal digits" "from 1 to 65535"
done
for v in -1 -0 1000000001 99999999999999999999; do
    bad listen count "$v" "out of range" "from 0 to 1000000000"
done
for v in 0 -1 32769; do
    bad raw register-count "$v" "out of range" "from 1 to 32768"
done
for v in 0 65536; do
    bad decode protocol-version "$v" "out of range" "from 1 to 65535"
done

# verbose in a config file is a level from 0 to 9
for v in 10 -1 -0 +1 0x1 1.0 ' 1' 1e0; do
    once "verbose/${#v}" || continue
    printf 'verbose = "%s"\n' "$v" >"$tmp/n.conf"
    run --config "$tmp/n.conf" $SIM read --blocks 100
    expect_usage_error "n.conf:1: verbose '.*' is not a level; give a whole number from 0 to 9"
done

# -- block ids: decimal or (documented) hex, still range checked ----------------------
for v in ' 100' +100 1e2 100.0 0x 0x-1; do
    run $PLUG describe "$v"
    expect_usage_error ""
    expect_err_text "unknown block '$v'"
done
run $PLUG describe 0x10000
expect_usage_error "block '0x10000' is out of range; block ids are 0..65535"
run $PLUG describe 99999999999999999999
expect_usage_error "block '99999999999999999999' is out of range"
run $PLUG describe -- -0
expect_usage_error "block '-0' is out of range"
run $SIM read --blocks 100,-1
expect_usage_error "block '-1' is out of range"

# -- what stays valid -------------------------------------------------------------------
run $SIM --timeout 5 --connect-timeout 10 --retries 3 --retry-initial-delay 0.5 \
    --retry-max-delay 5 --modbus-address 1 --port 18760 --keepalive 60 read --blocks 100
expect_rc 0
run $SIM --timeout 0.25 --retry-initial-delay 0.001 --retry-max-delay 3600 read --blocks 100
expect_rc 0
run $SIM --timeout 3600 --retries 100 --keepalive 65535 --port 65535 read --blocks 100
expect_rc 0
run $SIM --timeout 007 --port 0001 read --blocks 100
expect_rc 0
run $SIM --timeout=2.5 read --blocks 100
expect_rc 0
printf 'timeout = 2.5\nretries = 2\nverbose = 0\nport = "18760"\nconnect-timeout = 3\n' \
    >"$tmp/ok.conf"
run --config "$tmp/ok.conf" $SIM read --blocks 100
expect_rc 0
run $SIM listen --blocks 100 --interval 0.05 --count 2
expect_rc 0
run $SIM listen --blocks 0x64 -i 0.05 -c 1
expect_rc 0
run $SIM raw --block 0x514 --register-count 16
expect_rc 0
run $SIM raw --block 100 -n 4
expect_rc 0
run $PLUG describe 0x64
expect_rc 0
expect_out '^block 100 '
run $PLUG describe 0X64
expect_rc 0
# both --protocol-version options are taken (the command's wins)
run $PLUG --protocol-version 2001 decode --block 100 --protocol-version 2000 00
expect_rc 0
expect_out "protocol version 2000"

finish

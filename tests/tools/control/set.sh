#!/bin/sh
# bluetti-tool set against the in-process simulator: valid writes read
# back, values refused before anything is sent (the simulator's frame log
# stays empty), confirmation, dry run, unverified fields, exception,
# timeouts with and without effect, and the exit codes 0/1/2/6/7.
# the tool tests' helpers
lib="$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"
. "$lib"

FLOG="$tmp/frames.log"
S="$SIM --frame-log $FLOG"

# frames_are N: the simulator received exactly N frames since the last reset
frames_are() {
    n=0
    [ -f "$FLOG" ] && n=$(wc -l <"$FLOG" | tr -d ' ')
    [ "$n" -eq "$1" ] || fail "the simulator received $n frame(s), expected $1"
}
writes_are() {
    n=0
    [ -f "$FLOG" ] && n=$(grep -c ' 01\(06\|10\)' "$FLOG")
    [ "$n" -eq "$1" ] || fail "the simulator received $n write frame(s), expected $1"
}
reset() { rm -f "$FLOG"; }

# ---- describe names what is writable -------------------------------------------
run $PLUG describe 2000
expect_rc 0
expect_out '^writable fields'
expect_out '^  ctrl_ac: register 2011; values off = 0, on = 1; write evidence device-confirmed'
expect_out '^  ctrl_dc: register 2012; values off = 0, on = 1; write evidence device-confirmed'
expect_out '^  soc_high_limit: register 2023; 1\.\.100 % in steps of 1; write evidence unverified \(set needs --allow-unverified\)'
expect_out '^  charging_mode: register 2020; values standard = 0, silent = 1, turbo = 2, custom = 4'
run $PLUG --json describe 2000
expect_rc 0
expect_out '"writable": true, "write": \{"register": 2011, "evidence": "device-confirmed", "values": \{"off": 0, "on": 1\}'
expect_out '"writable": true, "write": \{"register": 2023, "evidence": "unverified", "min": 1.0, "max": 100.0, "step": 1.0'
expect_out '"description": "LED switch", "note": "[^"]*", "writable": false'

# ---- a valid write, read back ----------------------------------------------------
reset
run $S set ctrl_ac off --yes
expect_rc 0
expect_out '^ctrl_ac \(register 2011\): on \(1\) -> off \(0\): applied$'
writes_are 1
grep -q ' 010607db0000f885$' "$FLOG" || fail "the write frame is not 01 06 07db 0000"
reset
run $S set ctrl_dc OFF -y
expect_rc 0
expect_out '^ctrl_dc \(register 2012\): on \(1\) -> off \(0\): applied$'
run $S --json set ctrl_ac off --yes
expect_rc 0
expect_json_lines 1
expect_out '"field": "ctrl_ac", "block": 2000, "register": 2011, "written": 0, "before": "on \(1\)", "after": "off \(0\)", "outcome": "applied"'
# unverified fields need consent; numbers take their unit
reset
run $S set soc_high_limit 90 --yes
expect_rc 6
expect_err 'refused: no real unit has confirmed how soc_high_limit is written.*--allow-unverified'
frames_are 0
run $S set soc_high_limit 90% --yes --allow-unverified
expect_rc 0
expect_out '^soc_high_limit \(register 2023\): 100 % -> 90 %: applied$'
run $S set charging_mode turbo --yes --allow-unverified
expect_rc 0
expect_out 'standard \(0\) -> turbo \(2\): applied$'

# a model that does not claim the block: no evidence it has the setting
reset
E200="$PLUG --transport sim --sim-device $DEVICES/elite200v2.json --model ELITE200V2 --frame-log $FLOG"
run $E200 set ctrl_ac off --yes
expect_rc 6
expect_err 'refused: model ELITE200V2 does not claim block 2000 \(INV_BASE_SETTINGS\).*--allow-unverified'
frames_are 0
run $E200 set ctrl_ac off --yes --allow-unverified
expect_rc 0
expect_out 'on \(1\) -> off \(0\): applied$'

# ---- refused before anything is sent -----------------------------------------------
reset
run $S set soc_high_limit 101 --yes --allow-unverified
expect_rc 6
expect_err 'refused: soc_high_limit: 101 is out of range \(allowed: 1\.\.100 % in steps of 1\); nothing was sent'
run $S set soc_high_limit 90.5 --yes --allow-unverified
expect_rc 6
expect_err 'not on the step'
run $S set ctrl_ac maybe --yes
expect_rc 6
expect_err "refused: ctrl_ac: 'maybe' is not an allowed value \(allowed: off, on\)"
run $S set soc 5 --yes
expect_rc 6
expect_err 'refused: soc \(block 100 APP_HOME_DATA\) is not writable'
run $S set ctrl_led 1 --yes
expect_rc 6
expect_err 'ctrl_led \(block 2000 INV_BASE_SETTINGS\) is not writable'
frames_are 0
# usage errors
run $S set nonesuch 1 --yes
expect_usage_error "unknown field 'nonesuch'"
run $S set ctrl_ac
expect_usage_error 'set needs FIELD VALUE'
run $S set ctrl_ac on off
expect_usage_error 'set needs FIELD VALUE'
run $S set ctrl_ac on --block 100 --yes
expect_usage_error "unknown field 'ctrl_ac'"
run $S set ctrl_ac on --block 2000 --yes --dry-run
expect_rc 0
frames_are 0

# ---- dry run: the frame, nothing sent ------------------------------------------------
run $S set ctrl_ac on --dry-run
expect_rc 0
expect_out '^dry run: ctrl_ac \(block 2000, register 2011\) = 1: frame 01 06 07 db 00 01 39 45; nothing sent$'
run $S --modbus-address 0 set ctrl_dc off -n
expect_rc 0
expect_out 'frame 00 06 07 dc 00 00 '
run $S set soc_high_limit 200 --dry-run --allow-unverified
expect_rc 6
frames_are 0

# ---- no write without --yes or a confirmation ----------------------------------------
run $S set ctrl_ac on
expect_rc 6
expect_err 'refused: standard input is not a terminal.*give --yes'
frames_are 0
# on a terminal: asked; anything but yes writes nothing
command -v script >/dev/null 2>&1 || { echo "set.sh: needs script(1) from util-linux for the terminal checks" >&2; exit 1; }
on_tty() {
    answer=$1
    shift
    last="$* (on a terminal, answering '$answer')"
    rc=0
    # shellcheck disable=SC2086
    printf '%s\n' "$answer" | script -qec "$BLUETTI_TEST_WRAPPER $TOOL $*" /dev/null >"$out" 2>&1 || rc=$?
}
on_tty n $S set ctrl_ac off
expect_out 'Write ctrl_ac \(AC output switch, register 2011\) = off on the device\? \[y/N\]'
expect_out 'not confirmed: nothing was written'
frames_are 0
on_tty y $S set ctrl_ac off
expect_out 'ctrl_ac \(register 2011\): on \(1\) -> off \(0\): applied'
writes_are 1

# ---- the device refuses, or does not answer ----------------------------------------------
reset
run $S --sim-faults write_exception=2011:3 set ctrl_ac off --yes
expect_rc 1
expect_err 'the device refused the write: .*exception 3: Illegal data value.*; the device refused the value'
writes_are 1
reset
run $S --sim-faults write_drop=1 --timeout 0.3 set ctrl_ac off --yes
expect_rc 0
expect_out '^ctrl_ac \(register 2011\): on \(1\) -> off \(0\): applied$'
expect_err "warning: the write's reply: no reply before the timeout; the read-back shows the new value"
writes_are 1
reset
run $S --sim-faults write_lost=1 --timeout 0.3 set ctrl_ac off --yes
expect_rc 7
expect_out '^ctrl_ac \(register 2011\): on \(1\) -> on \(1\): not applied$'
expect_err 'not taken effect: .*no reply before the timeout; not applied'
writes_are 1
reset
run $S --sim-faults write_ignore=1 set ctrl_ac off --yes
expect_rc 7
expect_err 'not taken effect: .*the read-back shows another value'
writes_are 1
# nothing answers at all: the read before fails and nothing is written
reset
run $S --sim-faults drop=1 --timeout 0.2 --retries 1 set ctrl_ac off --yes
expect_rc 1
writes_are 0

# ---- help and the man page name the exit codes ---------------------------------------------
run set --help
expect_rc 0
expect_out '6 refused before sending'
expect_out '7 not taken effect'
grep -q 'set FIELD VALUE' "$BLUETTI_TEST_SRCDIR/tools/bluetti-tool.1" || fail "the man page does not document set"
finish

#!/bin/sh
# Hostile bluetti-tool config files: binary garbage, 1 MB keys, values and
# comments, CR-LF endings, a byte-order mark, lines without a newline. Each
# ends in a value used or one "file:line: problem; remedy" message with exit
# status 2, never a crash (and no leak under `make check-valgrind`).
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

# shellcheck disable=SC2086 # $SIM is a list of options
cfg() { run --config "$tmp/$1" $SIM read --blocks 100; }

# binary garbage without a newline or '=' (fixed bytes, repeatable)
awk 'BEGIN { srand(11); for (i = 0; i < 4096; i++) { c = int(rand() * 254) + 1;
      if (c == 10 || c == 61) c = 1; printf "%c", c } }' >"$tmp/garbage.conf"
cfg garbage.conf
expect_rc 2
expect_err "^bluetti-tool: $tmp/garbage.conf:1: "
expect_empty_out

# garbage with newlines and '=': the first bad line is reported
awk 'BEGIN { srand(12); for (i = 0; i < 65536; i++) printf "%c", int(rand() * 255) + 1 }' \
    >"$tmp/garbage2.conf"
cfg garbage2.conf
expect_rc 2
expect_err "^bluetti-tool: $tmp/garbage2.conf:[0-9]+: "

# a 1 MB key
awk 'BEGIN { for (i = 0; i < 1048576; i++) printf "k"; print " = 1" }' >"$tmp/longkey.conf"
cfg longkey.conf
expect_rc 2
expect_err "longkey.conf:1: (unknown key 'kkkk|the line is longer)"

# a 1 MB value: refused by the check on that option (or for its length)
awk 'BEGIN { printf "port = "; for (i = 0; i < 1048576; i++) printf "9"; print "" }' \
    >"$tmp/longval.conf"
cfg longval.conf
expect_rc 2
expect_err "port '9999.*' is not a whole number|longval.conf:1: the line is longer"

# a 2 MB comment, then a bad line: the line number is right (or the long
# line is refused)
awk 'BEGIN { printf "# "; for (i = 0; i < 2097152; i++) printf "x"; print ""; print "retries = 0" }' \
    >"$tmp/longcomment.conf"
cfg longcomment.conf
expect_rc 2
expect_err "longcomment.conf:(2: retries '0' is out of range|1: the line is longer)"

# 100 000 lines of valid settings (the last one wins)
awk 'BEGIN { for (i = 0; i < 100000; i++) print "timeout = 2"; print "retries = 2" }' \
    >"$tmp/many.conf"
cfg many.conf
expect_rc 0
expect_out 'APP_HOME_DATA|100'

# CR-LF line endings and a last line without a newline are fine
printf 'timeout = 2\r\nretries = 3\r\n' >"$tmp/crlf.conf"
cfg crlf.conf
expect_rc 0
printf 'timeout = 2' >"$tmp/nonl.conf"
cfg nonl.conf
expect_rc 0

# a UTF-8 byte-order mark makes the first key unknown: reported, not ignored
printf '\357\273\277timeout = 2\n' >"$tmp/bom.conf"
cfg bom.conf
expect_rc 2
expect_err "bom.conf:1: unknown key"

# only '=', a key with spaces, an empty value for a number
printf '=\n' >"$tmp/eq.conf"
cfg eq.conf
expect_usage_error 'eq.conf:1: the line has no key'
printf 'time out = 2\n' >"$tmp/space.conf"
cfg space.conf
expect_usage_error "space.conf:1: unknown key 'time out'"
printf 'timeout =\n' >"$tmp/empty.conf"
cfg empty.conf
expect_rc 2
expect_err 'empty.conf:1: timeout'

finish

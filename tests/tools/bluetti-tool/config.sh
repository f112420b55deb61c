#!/bin/sh
# bluetti-tool config files: values used, command line wins, bad lines
# reported as file:line (exit status 2), the default location, permissions.
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

cfg="$tmp/bluetti.conf"
cat >"$cfg" <<EOF
# a comment, then options by their long names
  # indented comment

transport = sim
model = EL30V2
sim-device = $DEVICES/el30v2.json
no-plugin-search = true
plugin_dir = "$BLUETTI_TEST_PLUGIN_DIR"
retries = 2
EOF

run --config "$cfg" read --blocks 100
expect_rc 0
expect_out '^  device_model +EL30V2'

# the command line wins over the file
run --config "$cfg" --model EL100V2 --sim-device "$DEVICES/el100v2.json" read --blocks 100
expect_rc 0
expect_out '^  device_model +EL100V2'

# a bad value in the file is reported with file and line
cp "$cfg" "$tmp/badvalue.conf"
echo "port = eighty" >>"$tmp/badvalue.conf"
run --config "$tmp/badvalue.conf" read
expect_usage_error "$tmp/badvalue.conf:10: port 'eighty' is not a whole number"

# ... unless the command line overrides it
run --config "$tmp/badvalue.conf" --port 8883 read --blocks 100
expect_rc 0

printf 'model = EL30V2\nthis line has no equals sign\n' >"$tmp/syntax.conf"
run --config "$tmp/syntax.conf" blocks
expect_usage_error "$tmp/syntax.conf:2: expected 'key = value'"

printf '\n\ncolour = blue\n' >"$tmp/key.conf"
run --config "$tmp/key.conf" blocks
expect_usage_error "$tmp/key.conf:3: unknown key 'colour'"

printf 'config = /etc/other\n' >"$tmp/nested.conf"
run --config "$tmp/nested.conf" blocks
expect_usage_error "$tmp/nested.conf:1: 'config' cannot be set in a config file"

printf 'json = perhaps\n' >"$tmp/flag.conf"
run --config "$tmp/flag.conf" blocks
expect_usage_error "$tmp/flag.conf:1: json 'perhaps' is not a yes/no value"

printf ' = value\n' >"$tmp/nokey.conf"
run --config "$tmp/nokey.conf" blocks
expect_usage_error "$tmp/nokey.conf:1: the line has no key"

run --config "$tmp/missing.conf" blocks
expect_usage_error "cannot read config file $tmp/missing.conf: No such file or directory"

run --config "$tmp" blocks
expect_usage_error "config file $tmp is a directory"

# the default location: $XDG_CONFIG_HOME/bluetti/config
mkdir -p "$XDG_CONFIG_HOME/bluetti"
cp "$cfg" "$XDG_CONFIG_HOME/bluetti/config"
run read --blocks 100
expect_rc 0
expect_out '^  device_model +EL30V2'
# --no-config skips it
run --no-config $PLUG models
expect_rc 0
run --no-config read --blocks 100
expect_rc 2
rm "$XDG_CONFIG_HOME/bluetti/config"

# ... or ~/.config/bluetti/config without XDG_CONFIG_HOME
mkdir -p "$HOME/.config/bluetti"
printf 'model = EL30V2\n' >"$HOME/.config/bluetti/config"
(
    unset XDG_CONFIG_HOME
    run $SIM --sim-device "$DEVICES/el30v2.json" read --blocks 100
    expect_rc 0
    expect_out '^  device_model +EL30V2'
    exit "$failures"
) || failures=$((failures + 1))
rm "$HOME/.config/bluetti/config"

# no default file at all is fine
run $SIM read --blocks 100
expect_rc 0

# a password in a file others can read: a warning (and it still works)
printf 'password = not-used-by-sim\n' >"$tmp/pw.conf"
chmod 644 "$tmp/pw.conf"
run --config "$tmp/pw.conf" $SIM read --blocks 100
expect_rc 0
expect_err "^bluetti-tool: warning: config file $tmp/pw.conf holds a password and other users can read it; run 'chmod 600"
expect_no_err 'not-used-by-sim'
chmod 600 "$tmp/pw.conf"
run --config "$tmp/pw.conf" $SIM read --blocks 100
expect_rc 0
expect_no_err 'warning'

finish

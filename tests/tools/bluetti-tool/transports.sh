#!/bin/sh
# Transport plugins are opened only when a command needs one
# (BLUETTI_LOAD_DEFER_TRANSPORTS): a sim read or a decode never maps
# transport-mqtt, its libmosquitto or libcrypto (the cloud library is opened
# only by the cloud commands), `plugins` lists every transport, and a
# broken transport-*.so is reported when, and only when, it is asked for.
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

# which shared objects a run maps, from the dynamic loader's own trace
maps() { # args...
    LD_DEBUG=files LD_DEBUG_OUTPUT="$tmp/ld" "$TOOL" "$@" >/dev/null 2>&1 </dev/null || true
    cat "$tmp"/ld.* 2>/dev/null
    rm -f "$tmp"/ld.*
}

# a sim read: transport-sim is opened, transport-mqtt, libmosquitto and libcrypto are not
m=$(maps $SIM read)
echo "$m" | grep -q 'file=.*transport-sim\.so' || { rc=0; fail "a sim read did not open transport-sim.so"; }
echo "$m" | grep -q 'file=.*transport-mqtt\.so' && { rc=0; fail "a sim read opened transport-mqtt.so"; }
echo "$m" | grep -q 'file=libmosquitto' && { rc=0; fail "a sim read mapped libmosquitto"; }
echo "$m" | grep -q 'file=libcrypto' && { rc=0; fail "a sim read mapped libcrypto"; }

# block listing: no transport at all
m=$(maps $PLUG blocks)
echo "$m" | grep -q 'file=.*transport-' && { rc=0; fail "'blocks' opened a transport plugin"; }

# the plugin list shows both transports
run $PLUG plugins
expect_rc 0
expect_out 'transport-mqtt'
expect_out 'transport-sim'
run $PLUG --json plugins
expect_rc 0
expect_out '"mqtt"'
expect_out '"sim"'

# a broken transport plugin next to good ones
dir="$tmp/plugins"
mkdir "$dir"
chmod 755 "$dir"
cp "$BLUETTI_TEST_PLUGIN_DIR"/*.so "$dir"/
printf 'not a shared object\n' > "$dir/transport-pigeon.so"
P2="--no-plugin-search --plugin-dir $dir"
run $P2 --transport sim --sim-device "$DEVICES/el100v2.json" read
expect_rc 0
expect_no_err 'pigeon'
run $P2 --transport pigeon --sn 123 read
expect_rc 1
expect_err "transport 'pigeon' is not available: its plugin was refused"
expect_err 'transport-pigeon\.so'
expect_err 'plugins'
run $P2 plugins
expect_err 'transport-pigeon\.so'
expect_out 'transport-pigeon'
# an unknown transport lists all that exist, deferred ones included
run $P2 --transport carrier --sn 123 read
expect_rc 2
expect_err "unknown transport 'carrier'"
expect_err 'mqtt'
expect_err 'sim'
finish

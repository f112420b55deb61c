#!/bin/sh
# transport-sim driven by examples/external-loop (no CUnit needed, so the
# minimal build runs it too): the EL100V2 and EL30V2 are read and their
# blocks decode to the values of data/devices/units/*.json. Without jansson
# they are the built-in images, BLUETTI_SIM_DEVICES is not read, and an
# image file given as device= is refused with the reason; with jansson the
# images are the files, device= included.
set -u
ex="$BLUETTI_TEST_BUILDDIR/examples/external-loop"
[ -x "$ex" ] || { echo "sim_builtin: $ex not built" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
n=0

# run ARGS...: one read of every device, exit status in $rc
run() {
    $BLUETTI_TEST_WRAPPER "$ex" --plugin-dir "$BLUETTI_TEST_PLUGIN_DIR" --sessions 1 --interval 1 \
        --reads 1 "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    last="external-loop $*"
}
# expect RC TEXT: exit status RC and TEXT (a fixed string) in the output
expect() {
    n=$((n + 1))
    if [ "$rc" -ne "$1" ] || ! cat "$tmp/out" "$tmp/err" | grep -qF -- "$2"; then
        echo "sim_builtin: $last: exit $rc (expected $1), output without '$2':" >&2
        cat "$tmp/out" "$tmp/err" >&2
        status=1
    fi
}

el100=2345000223861
run --field soc --field pack_voltage --field pack_current --field dc_input_power \
    --field device_model sim $el100
expect 0 "$el100 read 100 ok EL100V2 soc=85 pack_voltage=53.2 pack_current=-3.8 dc_input_power=300 device_model=EL100V2"
run --block 6000 --field soc --field soh --field cell_count --field cycles sim "$el100=EL100V2"
expect 0 "$el100 read 6000 ok EL100V2 soc=85 soh=98 cell_count=16 cycles=112"
# a serial no image has: served by model=, and the copy reports that serial
run -o model=EL30V2 --field soc --field device_serial --field device_model sim 1000000001
expect 0 "1000000001 read 100 ok EL30V2 soc=62 device_serial=1000000001 device_model=EL30V2"
run -o model=EL1000V2 sim 1000000001
expect 2 "cannot add 1000000001"

if [ "$BLUETTI_TEST_HAVE_JANSSON" = no ]; then
    run -o "device=$BLUETTI_TEST_SRCDIR/data/devices/el30v2.json" sim 2337000104512
    expect 1 "el30v2.json: this build has no jansson: device image files cannot be read; built-in images: AC180, AP300, EL100V2, EL30V2, ELITE200V2, EP760; rebuild with libjansson-dev"
    BLUETTI_SIM_DEVICES=$tmp/none run --field soc sim $el100
    expect 0 "$el100 read 100 ok EL100V2 soc=85"
else
    run -o "device=$BLUETTI_TEST_SRCDIR/data/devices/el30v2.json" --field soc sim 2337000104512
    expect 0 "2337000104512 read 100 ok EL30V2 soc=62"
    BLUETTI_SIM_DEVICES=$tmp/none run --field soc sim $el100
    expect 1 "cannot read the device image directory $tmp/none"
fi
[ $status -eq 0 ] && echo "sim_builtin: $n runs of external-loop on transport-sim as expected (jansson: $BLUETTI_TEST_HAVE_JANSSON)"
exit $status

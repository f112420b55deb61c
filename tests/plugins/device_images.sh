#!/bin/sh
# The committed device images are what make-images writes from the unit
# files through the block schemas, and the built-in images what it writes
# from those: regenerate each into a temp dir and compare; then a unit that
# breaks a rule is refused with the reason.
set -eu
gen="$BLUETTI_TEST_BUILDDIR/data/devices/make-images"
units="$BLUETTI_TEST_SRCDIR/data/devices/units"
[ -x "$gen" ] || { echo "images: $gen not built" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
n=0
for u in "$units"/*.json; do
    name=$(basename "$u")
    "$gen" "$BLUETTI_TEST_PLUGIN_DIR" "$u" "$tmp/$name"
    if ! cmp -s "$tmp/$name" "$BLUETTI_TEST_SRCDIR/data/devices/$name"; then
        echo "images: data/devices/$name differs from what make-images writes from units/$name;" \
             "run 'make update-images' and commit the result" >&2
        status=1
    fi
    n=$((n + 1))
done
[ "$n" -ge 6 ] || { echo "images: only $n unit files" >&2; exit 1; }

# transport-sim's built-in images (what a build without jansson serves) are
# what make-images writes from the committed images
"$gen" --builtin "$BLUETTI_TEST_SRCDIR/data/devices" "$tmp/builtin_images.c"
if ! cmp -s "$tmp/builtin_images.c" "$BLUETTI_TEST_SRCDIR/plugins/transport-sim/builtin_images.c"; then
    echo "images: plugins/transport-sim/builtin_images.c differs from what make-images --builtin" \
         "writes from data/devices; run 'make update-images' and commit the result" >&2
    status=1
fi

# the full form carries the cloud envelope and the Modbus address
"$gen" "$BLUETTI_TEST_PLUGIN_DIR" "$units/ep760.json" "$tmp/full.json"
grep -q '"envelope": "new"' "$tmp/full.json" || { echo "images: no envelope" >&2; status=1; }
grep -q '"address": 0' "$tmp/full.json" || { echo "images: EP760 not at address 0" >&2; status=1; }

# rules the generator enforces, each with a message naming what is wrong
bad() {   # bad NAME SED-EXPRESSION EXPECTED-MESSAGE
    sed "$2" "$units/ap300.json" >"$tmp/$1.json"
    if "$gen" "$BLUETTI_TEST_PLUGIN_DIR" "$tmp/$1.json" "$tmp/$1.out" 2>"$tmp/$1.err"; then
        echo "images: $1 was accepted" >&2; status=1; return
    fi
    grep -q "$3" "$tmp/$1.err" || { echo "images: $1: unexpected message:" >&2; cat "$tmp/$1.err" >&2; status=1; }
    [ ! -e "$tmp/$1.out" ] || { echo "images: $1 left a partial image" >&2; status=1; }
}
bad sign 's/"pack_current": -20.0/"pack_current": 20.0/' 'does not fit charging_status'
bad soc '0,/"soc": 41/s//"soc": 42/' 'SOC differs'
bad field 's/"grid_charge": 1/"no_such_field": 1/' 'has no field "no_such_field"'
bad range 's/"pack_count": 1,/"pack_count": 300,/' 'does not decode back'
bad envelope 's/"envelope": "new"/"envelope": "mqtt"/' 'must be "new", "old" or "raw"'
[ $status -eq 0 ] && echo "images: $n images match their unit files, the built-in images match the images; bad units refused"
exit $status

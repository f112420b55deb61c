#!/bin/sh
# Each library exports exactly the symbols listed for it in docs/API.md:
# libbluetti those before the heading "## libbluetti-cloud", libbluetti-cloud
# those after it (a build without jansson has no libbluetti-cloud).
set -eu
api="$BLUETTI_TEST_SRCDIR/docs/API.md"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
# check LIBFILE NAME SECTION(1 = before the cloud heading, 2 = after)
check() {
    lib="$1"; name="$2"; part="$3"
    [ -f "$lib" ] || { echo "symbols: $lib not built" >&2; status=1; return; }
    nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | grep -v '^_' | sort -u >"$tmp/exported"
    awk -v part="$part" '/^## libbluetti-cloud/ {p = 2; next} {if (!p) p = 1} p == part' "$api" |
        sed -n 's/^| `\(bluetti_[a-z0-9_]*\)` |.*/\1/p' | sort -u >"$tmp/listed"
    leaked=$(comm -23 "$tmp/exported" "$tmp/listed")
    missing=$(comm -13 "$tmp/exported" "$tmp/listed")
    if [ -n "$leaked" ]; then
        echo "symbols: exported by $name but not listed in docs/API.md (hide them, or list them with a stability):" >&2
        echo "$leaked" | sed 's/^/  /' >&2
        status=1
    fi
    if [ -n "$missing" ]; then
        echo "symbols: listed in docs/API.md but not exported by $name:" >&2
        echo "$missing" | sed 's/^/  /' >&2
        status=1
    fi
    [ -n "$leaked$missing" ] || echo "symbols: $name exports $(wc -l <"$tmp/exported") symbols, all listed in docs/API.md"
}
check "$BLUETTI_TEST_BUILDDIR/core/.libs/libbluetti.so" libbluetti 1
if [ "${BLUETTI_TEST_HAVE_JANSSON:-yes}" = no ]; then
    # configured without jansson: the cloud library is not built
    if [ -e "$BLUETTI_TEST_BUILDDIR/core/cloud/.libs/libbluetti-cloud.so" ]; then
        echo "symbols: libbluetti-cloud was built although configure left jansson out" >&2
        status=1
    fi
else
    check "$BLUETTI_TEST_BUILDDIR/core/cloud/.libs/libbluetti-cloud.so" libbluetti-cloud 2
fi
# Each plugin exports its descriptor and nothing else: the helper library
# (core/util) linked into a plugin stays hidden in it.
n_plugins=0
leaky=0
for so in "$BLUETTI_TEST_BUILDDIR"/plugins/.libs/*.so; do
    [ -f "$so" ] || continue
    n_plugins=$((n_plugins + 1))
    extra=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | grep -v '^_' |
        grep -vx 'bluetti_plugin_descriptor' || true)
    if [ -n "$extra" ]; then
        echo "symbols: plugin $(basename "$so") exports more than bluetti_plugin_descriptor (build it with -fvisibility=hidden):" >&2
        echo "$extra" | sed 's/^/  /' >&2
        leaky=1
        status=1
    fi
done
if [ "$n_plugins" -eq 0 ]; then
    echo "symbols: no plugins built in $BLUETTI_TEST_BUILDDIR/plugins/.libs" >&2
    status=1
elif [ "$leaky" -eq 0 ]; then
    echo "symbols: $n_plugins plugins export only bluetti_plugin_descriptor"
fi
exit $status

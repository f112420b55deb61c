#!/bin/sh
# libbluetti's ABI (functions and every type they reach, which includes the
# plugin structures) matches the baseline in docs/abi/, unless the libtool
# version or the plugin ABI version was bumped (then refresh the baseline
# with `make update-abi`).
set -eu
# Types defined outside include/bluetti (the opaque session, device,
# registry, result and options structs) are private: --hd1/--hd2 keep their
# layout out of the comparison; a change to a public struct still fails.
src="$BLUETTI_TEST_SRCDIR"
lib="$BLUETTI_TEST_BUILDDIR/core/.libs/libbluetti.so"
base="$src/docs/abi/libbluetti.abi"
ver="$src/docs/abi/VERSION"
command -v abidw >/dev/null 2>&1 && command -v abidiff >/dev/null 2>&1 || {
    echo "abi: abidw/abidiff not found; install the Debian package abigail-tools" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
abidw --no-corpus-path --headers-dir "$src/include/bluetti" "$lib" >"$tmp/current.abi"
lt=$(sed -n 's/^BLUETTI_LT_VERSION=//p' "$src/configure.ac")
pabi=$(sed -n 's/^#define BLUETTI_PLUGIN_ABI_MAJOR \([0-9]*\).*/\1/p' "$src/include/bluetti/plugin.h").$(sed -n 's/^#define BLUETTI_PLUGIN_ABI_MINOR \([0-9]*\).*/\1/p' "$src/include/bluetti/plugin.h")
now="libtool=$lt plugin_abi=$pabi"
was=$(cat "$ver")
set +e
abidiff --no-added-syms --hd1 "$src/include/bluetti" --hd2 "$src/include/bluetti" \
    "$base" "$tmp/current.abi" >"$tmp/diff.txt" 2>&1
rc=$?
set -e
if [ $rc -eq 0 ]; then
    # additions still need the libtool age bump; abidiff --no-added-syms hides them, so compare symbol counts
    b=$(grep -c '<elf-symbol ' "$base"); c=$(grep -c '<elf-symbol ' "$tmp/current.abi")
    if [ "$b" != "$c" ] && [ "$now" = "$was" ]; then
        echo "abi: libbluetti now exports $c symbols (baseline $b) but the versions are unchanged ($now);" >&2
        echo "abi: bump BLUETTI_LT_VERSION in configure.ac (interfaces added: current+1, revision 0, age+1), then run 'make update-abi'" >&2
        exit 1
    fi
    echo "abi: matches the baseline ($was)"
    exit 0
fi
if [ $((rc & 1)) -ne 0 ]; then
    echo "abi: abidiff failed to run:" >&2; cat "$tmp/diff.txt" >&2; exit 1
fi
if [ "$now" = "$was" ]; then
    echo "abi: the ABI changed but neither the libtool version nor the plugin ABI was bumped ($now):" >&2
    sed 's/^/  /' "$tmp/diff.txt" | head -60 >&2
    echo "abi: see docs/API.md for what to bump, then run 'make update-abi'" >&2
    exit 1
fi
echo "abi: changed, and the versions were bumped ($was -> $now); run 'make update-abi' to record the new baseline" >&2
exit 1

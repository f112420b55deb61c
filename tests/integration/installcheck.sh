#!/bin/sh
# After `make install`: build the example plugin out of tree against the
# installed headers and bluetti.pc, and load it into the installed tool
# from a directory given at run time.
# usage: installcheck.sh PREFIX LIBDIR EXAMPLE_SRCDIR
set -eu
prefix=$1
libdir=$2
example=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cp "$example/base_config.c" "$example/Makefile" "$tmp/"
chmod -R u+w "$tmp"
PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
abi=$(pkg-config --variable=plugin_abi bluetti)
[ -n "$abi" ] || { echo "installcheck: bluetti.pc has no plugin_abi" >&2; exit 1; }
pkg-config --variable=plugindir bluetti | grep -q . || { echo "installcheck: bluetti.pc has no plugindir" >&2; exit 1; }
make -s -C "$tmp" >/dev/null
tool="$prefix/bin/bluetti-tool"
out=$("$tool" --plugin-dir "$tmp" plugins)
echo "$out" | grep -q "example-base-config" || {
    echo "installcheck: the out-of-tree plugin was not listed:" >&2; echo "$out" >&2; exit 1; }
payload=$(printf '00%.0s' $(seq 30))07d1
out=$("$tool" --plugin-dir "$tmp" --json decode --block 1 "$payload")
echo "$out" | grep -Eq '"protocol_version": *\{ *"value": *2001' || {
    echo "installcheck: block 1 did not decode through the out-of-tree plugin:" >&2
    echo "$out" >&2; exit 1; }
echo "installcheck: out-of-tree plugin (ABI $abi) built and loaded"

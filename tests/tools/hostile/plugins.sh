#!/bin/sh
# Hostile plugin directories, beyond tests/core/test_registry.c: symbolic links.
# Policy: links are followed and every check applies to the target: a link
# to a good plugin loads; a link to a file others can write, to a directory,
# to a device, to itself or to nothing is refused with a reason, and loading
# carries on with the next file.
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

d="$tmp/plugins"
mkdir "$d" "$tmp/other"
chmod 755 "$tmp/other"
for p in blocks-home transport-sim profile-elite-v2; do
    cp "$BLUETTI_TEST_PLUGIN_DIR/$p.so" "$d/"
done
cp "$BLUETTI_TEST_PLUGIN_DIR/blocks-iot.so" "$tmp/other/ww.so"
chmod 666 "$tmp/other/ww.so"
ln -s "$BLUETTI_TEST_PLUGIN_DIR/blocks-pack.so" "$d/link-pack.so"
ln -s "$tmp/other/ww.so" "$d/link-ww.so"
ln -s "$tmp/nonexistent.so" "$d/dangling.so"
ln -s "$d" "$d/dirlink.so"
ln -s /dev/null "$d/devnull.so"
ln -s loop-b.so "$d/loop-a.so"
ln -s loop-a.so "$d/loop-b.so"
mkdir "$d/dir.so"

run --no-plugin-search --plugin-dir "$d" --json plugins
expect_rc 0
expect_out 'blocks-home'
expect_out 'blocks-pack'
expect_no_out '"name": *"blocks-iot"'
expect_err "link-ww.so refused: the file is writable by other users"
expect_err "dangling.so refused: cannot read the file"
expect_err "dirlink.so refused: not a regular file"
expect_err "devnull.so refused: not a regular file"
expect_err "loop-a.so refused: cannot read the file"
expect_err "dir.so refused: not a regular file"

# the blocks of the linked plugin are usable
run --no-plugin-search --plugin-dir "$d" --transport sim \
    --sim-device "$DEVICES/el100v2.json" --model EL100V2 read --blocks 6000
expect_rc 0

# a link to the plugin directory itself, given as --plugin-dir
ln -s "$d" "$tmp/dirlink"
run --no-plugin-search --plugin-dir "$tmp/dirlink" --json plugins
expect_rc 0
expect_out 'blocks-pack'

finish

#!/bin/sh
# A symbolic link in a safe plugin directory pointing at a plugin that sits
# in a directory other users can write (and which is not sticky): anyone
# could replace that file, so it must be refused like a plugin in such a
# directory. Listed in XFAIL_TESTS until core/loader.c also checks the
# directory of the link's target (docs/SECURITY.md).
. "$BLUETTI_TEST_SRCDIR/tests/tools/bluetti-tool/lib.sh"

d="$tmp/plugins"
mkdir "$d" "$tmp/open"
chmod 777 "$tmp/open"
chmod o-t "$tmp/open" 2>/dev/null || :
cp "$BLUETTI_TEST_PLUGIN_DIR/blocks-home.so" "$d/"
cp "$BLUETTI_TEST_PLUGIN_DIR/blocks-pack.so" "$tmp/open/"
chmod 644 "$tmp/open/blocks-pack.so"
ln -s "$tmp/open/blocks-pack.so" "$d/link-pack.so"

run --no-plugin-search --plugin-dir "$d" --json plugins
expect_rc 0
expect_out 'blocks-home'
expect_err 'link-pack.so refused: .*writable by other users'
expect_no_out '"name": *"blocks-pack"'
finish

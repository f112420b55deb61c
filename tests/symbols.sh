#!/bin/sh
# libbluetti exports exactly the symbols listed in docs/API.md.
set -eu
lib="$BLUETTI_TEST_BUILDDIR/core/.libs/libbluetti.so"
api="$BLUETTI_TEST_SRCDIR/docs/API.md"
[ -f "$lib" ] || { echo "symbols: $lib not built" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | grep -v '^_' | sort -u >"$tmp/exported"
sed -n 's/^| `\(bluetti_[a-z0-9_]*\)` |.*/\1/p' "$api" | sort -u >"$tmp/listed"
leaked=$(comm -23 "$tmp/exported" "$tmp/listed")
missing=$(comm -13 "$tmp/exported" "$tmp/listed")
status=0
if [ -n "$leaked" ]; then
    echo "symbols: exported by libbluetti but not listed in docs/API.md (hide them, or list them with a stability):" >&2
    echo "$leaked" | sed 's/^/  /' >&2
    status=1
fi
if [ -n "$missing" ]; then
    echo "symbols: listed in docs/API.md but not exported by libbluetti:" >&2
    echo "$missing" | sed 's/^/  /' >&2
    status=1
fi
[ $status -eq 0 ] && echo "symbols: $(wc -l <"$tmp/exported") exported symbols, all listed in docs/API.md"
exit $status

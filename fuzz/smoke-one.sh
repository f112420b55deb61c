#!/bin/sh
# fuzz/smoke-one.sh SRCDIR TARGET SECONDS [LIBFUZZER FLAGS...] - one target
# of `make fuzz-smoke`, run from the build directory: FUZZ_TIME seconds
# from the seeds in SRCDIR/fuzz/corpus/TARGET, log to fuzz/logs/TARGET.log,
# crashes to fuzz/artifacts/. One summary line; exit 1 on a finding.
# (A script so that `make fuzz-smoke FUZZ_PARALLEL=N` can run N at once.)
set -u
S=$1 t=$2 secs=$3
shift 3
mkdir -p fuzz/logs fuzz/artifacts "fuzz/work/$t"
seeds=$S/fuzz/corpus/$t
[ -d "$seeds" ] || seeds=
# shellcheck disable=SC2086
if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "fuzz/bin/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t-" \
    "$@" "fuzz/work/$t" $seeds > "fuzz/logs/$t.log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz/logs/$t.log")
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "fuzz/logs/$t.log")
    cov=$(grep -o 'cov: [0-9]*' "fuzz/logs/$t.log" | tail -1)
    echo "fuzz $t: ok, $runs runs in $secs s ($eps exec/s, $cov)"
else
    { echo "fuzz $t: FAILED, see fuzz/logs/$t.log and fuzz/artifacts/"; tail -40 "fuzz/logs/$t.log"; } >&2
    exit 1
fi

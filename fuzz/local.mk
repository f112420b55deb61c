## fuzz/local.mk: libFuzzer targets (issue 7). Not part of `make check`.
##
##   make fuzz-build               build every target into fuzz/bin/
##   make fuzz-smoke               build, then run each for FUZZ_TIME seconds
##   make fuzz-smoke FUZZ_TIME=600 FUZZ_TARGETS=decode   a longer run of one
##   make fuzz-long                each target to 10 M executions (or 1 h)
##
## The targets are built with clang -fsanitize=fuzzer,address,undefined and
## compile the library, libsimdev, the blocks/profile plugins (linked
## statically, each descriptor renamed) and, for `config`, the tool's
## sources except main.c straight into each binary, so the main build may use
## any compiler. Seeds: $(srcdir)/fuzz/corpus/<target>/ (read only); new
## inputs go to fuzz/work/<target>/ in the build tree; crashes to
## fuzz/artifacts/.

FUZZ_CC = clang
FUZZ_TIME = 30
FUZZ_JOBS_FLAGS =
FUZZ_TARGETS = modbus hex decode varlen simdev config
FUZZ_SANFLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=c11 -g -O1 -fno-omit-frame-pointer $(FUZZ_SANFLAGS) \
	-Wall -Wextra -Wno-unused-parameter
FUZZ_CPPFLAGS = $(AM_CPPFLAGS) -DBLUETTI_BUILDING_LIB -I$(top_srcdir)/core \
	-I$(top_srcdir)/plugins/transport-sim -I$(top_srcdir)/fuzz \
	-I$(top_srcdir)/tools/bluetti-tool-src -I$(top_srcdir)/tools/common -I$(top_srcdir)/core/util $(JANSSON_CFLAGS) \
	-DLIBDIR='"$(libdir)"' -DBLUETTI_CLOUD_LT_VERSION='"$(BLUETTI_CLOUD_LT_VERSION)"'
FUZZ_COMPILE = $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_CPPFLAGS)
FUZZ_LIBS = $(JANSSON_LIBS) $(LTDL_LIBS) $(LIBM)

FUZZ_CORE_SRCS = $(CORE_C_SOURCES) plugins/transport-sim/simdev.c $(BTUTIL_C_SOURCES)
FUZZ_PLUGIN_SRCS = \
	plugins/blocks-ats/blocks_ats.c plugins/blocks-boot/blocks_boot.c \
	plugins/blocks-dcdc/blocks_dcdc.c plugins/blocks-epad/blocks_epad.c \
	plugins/blocks-home/blocks_home.c plugins/blocks-inverter/blocks_inverter.c \
	plugins/blocks-iot/blocks_iot.c plugins/blocks-meter/blocks_meter.c \
	plugins/blocks-pack/blocks_pack.c plugins/blocks-schedule/blocks_schedule.c \
	plugins/blocks-settings/blocks_settings.c plugins/blocks-smartplug/blocks_smartplug.c \
	plugins/profile-elite-v2/profiles.c plugins/profile-v2-models/profiles.c
FUZZ_TOOL_SRCS = $(TOOL_C_SOURCES)

EXTRA_DIST += fuzz/README.md fuzz/fuzz_common.c fuzz/fuzz_common.h \
	fuzz/fuzz_modbus.c fuzz/fuzz_hex.c fuzz/fuzz_decode.c fuzz/fuzz_varlen.c \
	fuzz/fuzz_simdev.c fuzz/fuzz_config.c fuzz/corpus

## Objects are rebuilt on every run (no dependency tracking: a smoke run
## compiles in well under a minute).
fuzz-build:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "fuzz: $(FUZZ_CC) not found; apt-get install -y clang libclang-rt-14-dev" >&2; exit 1; }
	@set -e; rm -rf fuzz/obj; mkdir -p fuzz/obj fuzz/bin; \
	echo "  FUZZCC   library, simdev, plugins, tool"; \
	for s in $(FUZZ_CORE_SRCS); do \
	  o=fuzz/obj/lib-`echo $$s | tr / _`.o; \
	  $(FUZZ_COMPILE) -c $(top_srcdir)/$$s -o $$o & \
	done; wait; \
	for s in $(FUZZ_PLUGIN_SRCS); do \
	  n=`basename $$(dirname $$s) | tr - _`; \
	  $(FUZZ_COMPILE) -Dbluetti_plugin_descriptor=fz_plugin_$$n -c $(top_srcdir)/$$s -o fuzz/obj/plugin-$$n.o & \
	done; wait; \
	for s in $(FUZZ_TOOL_SRCS); do \
	  $(FUZZ_COMPILE) -c $(top_srcdir)/$$s -o fuzz/obj/tool-`basename $$s .c`.o & \
	done; wait; \
	$(FUZZ_COMPILE) -c $(top_srcdir)/fuzz/fuzz_common.c -o fuzz/obj/common.o; \
	ls fuzz/obj/lib-*.o fuzz/obj/plugin-*.o >/dev/null; \
	for t in $(FUZZ_TARGETS); do \
	  echo "  FUZZLD   fuzz/bin/fuzz_$$t"; \
	  extra=; case $$t in config) extra='fuzz/obj/tool-*.o';; esac; \
	  $(FUZZ_COMPILE) -c $(top_srcdir)/fuzz/fuzz_$$t.c -o fuzz/obj/fuzz_$$t.o; \
	  $(FUZZ_COMPILE) fuzz/obj/fuzz_$$t.o fuzz/obj/common.o fuzz/obj/lib-*.o fuzz/obj/plugin-*.o \
	    $$extra $(FUZZ_LIBS) -o fuzz/bin/fuzz_$$t; \
	done

## Each target runs FUZZ_TIME seconds from its seeds; the figures go to
## fuzz/logs/<target>.log and a summary line per target is printed.
fuzz-smoke: fuzz-build
	@set -e; mkdir -p fuzz/logs fuzz/artifacts; fail=0; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/work/$$t; \
	  seeds=$(top_srcdir)/fuzz/corpus/$$t; test -d $$seeds || seeds=; \
	  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	     fuzz/bin/fuzz_$$t -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
	     -max_len=16384 -print_final_stats=1 -artifact_prefix=fuzz/artifacts/$$t- \
	     $(FUZZ_JOBS_FLAGS) fuzz/work/$$t $$seeds >fuzz/logs/$$t.log 2>&1; then \
	    runs=`sed -n 's/^stat::number_of_executed_units: *//p' fuzz/logs/$$t.log`; \
	    eps=`sed -n 's/^stat::average_exec_per_sec: *//p' fuzz/logs/$$t.log`; \
	    cov=`grep -o 'cov: [0-9]*' fuzz/logs/$$t.log | tail -1`; \
	    echo "fuzz $$t: ok, $$runs runs in $(FUZZ_TIME) s ($$eps exec/s, $$cov)"; \
	  else \
	    echo "fuzz $$t: FAILED, see fuzz/logs/$$t.log and fuzz/artifacts/" >&2; \
	    tail -40 fuzz/logs/$$t.log >&2; fail=1; \
	  fi; \
	done; exit $$fail

## The long run (issue 7's bar): each target until FUZZ_RUNS executions or
## FUZZ_LONG_TIME seconds, whichever comes first, at low priority; figures
## to fuzz/long/<target>.log and one line per target in fuzz/long/summary.txt.
FUZZ_RUNS = 10000000
FUZZ_LONG_TIME = 3600
fuzz-long: fuzz-build
	@set -e; mkdir -p fuzz/long fuzz/artifacts; : > fuzz/long/summary.txt; fail=0; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/work/$$t; \
	  seeds=$(top_srcdir)/fuzz/corpus/$$t; test -d $$seeds || seeds=; \
	  start=`date +%s`; \
	  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 nice -n 10 \
	     fuzz/bin/fuzz_$$t -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_LONG_TIME) -timeout=10 \
	     -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
	     -artifact_prefix=fuzz/artifacts/$$t- fuzz/work/$$t $$seeds >fuzz/long/$$t.log 2>&1; then \
	    res=ok; else res=FAILED; fail=1; fi; \
	  runs=`sed -n 's/^stat::number_of_executed_units: *//p' fuzz/long/$$t.log`; \
	  eps=`sed -n 's/^stat::average_exec_per_sec: *//p' fuzz/long/$$t.log`; \
	  rss=`sed -n 's/^stat::peak_rss_mb: *//p' fuzz/long/$$t.log`; \
	  cov=`grep -o 'cov: [0-9]*' fuzz/long/$$t.log | tail -1`; \
	  line="fuzz $$t: $$res, $$runs runs in $$((`date +%s` - start)) s ($$eps exec/s, $$cov, peak RSS $$rss MB)"; \
	  echo "$$line"; echo "$$line" >> fuzz/long/summary.txt; \
	  test $$res = ok || tail -40 fuzz/long/$$t.log >&2; \
	done; exit $$fail

clean-local: fuzz-clean
fuzz-clean:
	rm -rf fuzz/obj fuzz/bin fuzz/work fuzz/logs fuzz/long fuzz/artifacts

.PHONY: fuzz-build fuzz-smoke fuzz-long fuzz-clean

## fuzz/local.mk: libFuzzer targets (issue 7). Not part of `make check`.
##
##   make fuzz-build               build every target into fuzz/bin/
##   make fuzz-smoke               build, then run each for FUZZ_TIME seconds
##   make fuzz-smoke FUZZ_TIME=600 FUZZ_TARGETS=decode   a longer run of one
##   make fuzz-long                each target to 10 M executions (or 1 h)
##
## The targets are automake programs (EXTRA_PROGRAMS fuzz/bin/fuzz_*, never
## built by `all`) made with FUZZ_CC, the compiler configure found for
## -fsanitize=fuzzer,address,undefined (CC when it has libFuzzer, else
## clang), so the main build may use any compiler. They link static
## libraries of their own, compiled with the fuzzing flags: the library,
## libsimdev and libbtutil (fuzz/libfz_core.a), each blocks/profile plugin
## (fuzz/libfz_<plugin>.a, its descriptor renamed) and, for `config`, the
## tool's sources except main.c (fuzz/libfz_tool.a). Seeds: $(srcdir)/fuzz/corpus/<target>/ (read only); new
## inputs go to fuzz/work/<target>/ in the build tree; crashes to
## fuzz/artifacts/.

FUZZ_TIME = 30
FUZZ_JOBS_FLAGS =
## simdev (image files) and config (the tool's sources) need jansson.
if HAVE_JANSSON
FUZZ_TARGETS = modbus hex decode varlen simdev config ble
else
FUZZ_TARGETS = modbus hex decode varlen ble
endif
FUZZ_SANFLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=c11 -g -O1 -fno-omit-frame-pointer $(FUZZ_SANFLAGS) \
	-Wall -Wextra -Wno-unused-parameter
FUZZ_CPPFLAGS = $(AM_CPPFLAGS) -DBLUETTI_BUILDING_LIB -I$(top_srcdir)/core \
	-I$(top_srcdir)/plugins/transport-sim -I$(top_srcdir)/fuzz \
	-I$(top_srcdir)/plugins/transport-ble $(OPENSSL_CFLAGS) \
	-I$(top_srcdir)/tools/bluetti-tool-src -I$(top_srcdir)/tools/common -I$(top_srcdir)/core/util $(JANSSON_CFLAGS) \
	-DLIBDIR='"$(libdir)"' -DBLUETTI_CLOUD_LT_VERSION='"$(BLUETTI_CLOUD_LT_VERSION)"'
FUZZ_LDFLAGS = $(FUZZ_SANFLAGS)
FUZZ_PLUGIN_LIBS = fuzz/libfz_blocks_ats.a fuzz/libfz_blocks_boot.a fuzz/libfz_blocks_dcdc.a \
	fuzz/libfz_blocks_epad.a fuzz/libfz_blocks_home.a fuzz/libfz_blocks_inverter.a \
	fuzz/libfz_blocks_iot.a fuzz/libfz_blocks_meter.a fuzz/libfz_blocks_pack.a \
	fuzz/libfz_blocks_schedule.a fuzz/libfz_blocks_settings.a fuzz/libfz_blocks_smartplug.a \
	fuzz/libfz_profile_elite_v2.a fuzz/libfz_profile_v2_models.a
## The plugins refer to the core, so the core comes after them.
FUZZ_LIBS = $(FUZZ_PLUGIN_LIBS) fuzz/libfz_core.a $(JANSSON_LIBS) $(LTDL_LIBS) $(OPENSSL_LIBS) $(LIBM)

## (cr: the u of automake's default cru is ignored by ar, with a warning)
ARFLAGS = cr
EXTRA_LIBRARIES = fuzz/libfz_core.a fuzz/libfz_tool.a $(FUZZ_PLUGIN_LIBS)
fuzz_libfz_core_a_SOURCES = $(CORE_C_SOURCES) $(SIMDEV_C_SOURCES) $(BTUTIL_C_SOURCES) \
	$(BLEPROTO_C_SOURCES)
fuzz_libfz_core_a_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_libfz_core_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_tool_a_SOURCES = $(TOOL_C_SOURCES)
fuzz_libfz_tool_a_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_libfz_tool_a_CFLAGS = $(FUZZ_CFLAGS)
## Each plugin: its source, the descriptor renamed to fz_plugin_<name>
## (fuzz_common.c registers them all as built-ins).
fuzz_libfz_blocks_ats_a_SOURCES = plugins/blocks-ats/blocks_ats.c
fuzz_libfz_blocks_ats_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_blocks_ats
fuzz_libfz_blocks_ats_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_blocks_boot_a_SOURCES = plugins/blocks-boot/blocks_boot.c
fuzz_libfz_blocks_boot_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_blocks_boot
fuzz_libfz_blocks_boot_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_blocks_dcdc_a_SOURCES = plugins/blocks-dcdc/blocks_dcdc.c
fuzz_libfz_blocks_dcdc_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_blocks_dcdc
fuzz_libfz_blocks_dcdc_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_blocks_epad_a_SOURCES = plugins/blocks-epad/blocks_epad.c
fuzz_libfz_blocks_epad_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_blocks_epad
fuzz_libfz_blocks_epad_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_blocks_home_a_SOURCES = plugins/blocks-home/blocks_home.c
fuzz_libfz_blocks_home_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_blocks_home
fuzz_libfz_blocks_home_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_blocks_inverter_a_SOURCES = plugins/blocks-inverter/blocks_inverter.c
fuzz_libfz_blocks_inverter_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_blocks_inverter
fuzz_libfz_blocks_inverter_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_blocks_iot_a_SOURCES = plugins/blocks-iot/blocks_iot.c
fuzz_libfz_blocks_iot_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_blocks_iot
fuzz_libfz_blocks_iot_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_blocks_meter_a_SOURCES = plugins/blocks-meter/blocks_meter.c
fuzz_libfz_blocks_meter_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_blocks_meter
fuzz_libfz_blocks_meter_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_blocks_pack_a_SOURCES = plugins/blocks-pack/blocks_pack.c
fuzz_libfz_blocks_pack_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_blocks_pack
fuzz_libfz_blocks_pack_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_blocks_schedule_a_SOURCES = plugins/blocks-schedule/blocks_schedule.c
fuzz_libfz_blocks_schedule_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_blocks_schedule
fuzz_libfz_blocks_schedule_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_blocks_settings_a_SOURCES = plugins/blocks-settings/blocks_settings.c
fuzz_libfz_blocks_settings_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_blocks_settings
fuzz_libfz_blocks_settings_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_blocks_smartplug_a_SOURCES = plugins/blocks-smartplug/blocks_smartplug.c
fuzz_libfz_blocks_smartplug_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_blocks_smartplug
fuzz_libfz_blocks_smartplug_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_profile_elite_v2_a_SOURCES = plugins/profile-elite-v2/profiles.c
fuzz_libfz_profile_elite_v2_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_profile_elite_v2
fuzz_libfz_profile_elite_v2_a_CFLAGS = $(FUZZ_CFLAGS)
fuzz_libfz_profile_v2_models_a_SOURCES = plugins/profile-v2-models/profiles.c
fuzz_libfz_profile_v2_models_a_CPPFLAGS = $(FUZZ_CPPFLAGS) -Dbluetti_plugin_descriptor=fz_plugin_profile_v2_models
fuzz_libfz_profile_v2_models_a_CFLAGS = $(FUZZ_CFLAGS)

FUZZ_PROGS = fuzz/bin/fuzz_modbus fuzz/bin/fuzz_hex fuzz/bin/fuzz_decode fuzz/bin/fuzz_varlen \
	fuzz/bin/fuzz_simdev fuzz/bin/fuzz_config fuzz/bin/fuzz_ble
EXTRA_PROGRAMS += $(FUZZ_PROGS)
FUZZ_COMMON = fuzz/fuzz_common.c fuzz/fuzz_common.h
fuzz_bin_fuzz_modbus_SOURCES = fuzz/fuzz_modbus.c $(FUZZ_COMMON)
fuzz_bin_fuzz_modbus_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_bin_fuzz_modbus_CFLAGS = $(FUZZ_CFLAGS)
fuzz_bin_fuzz_modbus_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_bin_fuzz_modbus_LDADD = $(FUZZ_LIBS)
fuzz_bin_fuzz_hex_SOURCES = fuzz/fuzz_hex.c $(FUZZ_COMMON)
fuzz_bin_fuzz_hex_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_bin_fuzz_hex_CFLAGS = $(FUZZ_CFLAGS)
fuzz_bin_fuzz_hex_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_bin_fuzz_hex_LDADD = $(FUZZ_LIBS)
fuzz_bin_fuzz_decode_SOURCES = fuzz/fuzz_decode.c $(FUZZ_COMMON)
fuzz_bin_fuzz_decode_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_bin_fuzz_decode_CFLAGS = $(FUZZ_CFLAGS)
fuzz_bin_fuzz_decode_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_bin_fuzz_decode_LDADD = $(FUZZ_LIBS)
fuzz_bin_fuzz_varlen_SOURCES = fuzz/fuzz_varlen.c $(FUZZ_COMMON)
fuzz_bin_fuzz_varlen_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_bin_fuzz_varlen_CFLAGS = $(FUZZ_CFLAGS)
fuzz_bin_fuzz_varlen_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_bin_fuzz_varlen_LDADD = $(FUZZ_LIBS)
fuzz_bin_fuzz_simdev_SOURCES = fuzz/fuzz_simdev.c $(FUZZ_COMMON)
fuzz_bin_fuzz_simdev_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_bin_fuzz_simdev_CFLAGS = $(FUZZ_CFLAGS)
fuzz_bin_fuzz_simdev_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_bin_fuzz_simdev_LDADD = $(FUZZ_LIBS)
## config: the tool's sources first, they refer to the core.
fuzz_bin_fuzz_config_SOURCES = fuzz/fuzz_config.c $(FUZZ_COMMON)
fuzz_bin_fuzz_config_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_bin_fuzz_config_CFLAGS = $(FUZZ_CFLAGS)
fuzz_bin_fuzz_config_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_bin_fuzz_config_LDADD = fuzz/libfz_tool.a $(FUZZ_LIBS)
fuzz_bin_fuzz_ble_SOURCES = fuzz/fuzz_ble.c $(FUZZ_COMMON)
fuzz_bin_fuzz_ble_CPPFLAGS = $(FUZZ_CPPFLAGS)
fuzz_bin_fuzz_ble_CFLAGS = $(FUZZ_CFLAGS)
fuzz_bin_fuzz_ble_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_bin_fuzz_ble_LDADD = $(FUZZ_LIBS)

EXTRA_DIST += fuzz/README.md fuzz/corpus fuzz/smoke-one.sh

## The programs of FUZZ_TARGETS, made with FUZZ_CC (a make of its own: CC
## is FUZZ_CC there, the main build's objects are not touched).
if HAVE_FUZZER
fuzz-build:
	@$(MAKE) $(AM_MAKEFLAGS) CC='$(FUZZ_CC)' $(FUZZ_TARGETS:%=fuzz/bin/fuzz_%$(EXEEXT))
else
fuzz-build:
	@echo "fuzz: configure found no compiler with -fsanitize=fuzzer (tried CC and clang); apt-get install -y clang libclang-rt-14-dev and run configure again" >&2; exit 1
endif

## Each target runs FUZZ_TIME seconds from its seeds; the figures go to
## fuzz/logs/<target>.log and a summary line per target is printed.
## FUZZ_PARALLEL targets run at once (CI: one per core).
FUZZ_PARALLEL = 1
fuzz-smoke: fuzz-build
	@printf '%s\n' $(FUZZ_TARGETS) | xargs -P $(FUZZ_PARALLEL) -I'{}' \
	  $(SHELL) $(top_srcdir)/fuzz/smoke-one.sh $(top_srcdir) '{}' $(FUZZ_TIME) $(FUZZ_JOBS_FLAGS) || \
	  { echo "fuzz-smoke: a target failed (above)" >&2; exit 1; }

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
	     fuzz/bin/fuzz_$$t$(EXEEXT) -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_LONG_TIME) -timeout=10 \
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
	rm -f $(EXTRA_LIBRARIES) fuzz/*.$(OBJEXT)
	rm -rf fuzz/bin fuzz/work fuzz/logs fuzz/long fuzz/artifacts

.PHONY: fuzz-build fuzz-smoke fuzz-long fuzz-clean

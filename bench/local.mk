## bench/local.mk: benchmarks (issue 6). Not part of `make check`.
##
##   make bench                      build optimised, run everything, print a
##                                   table, write bench/results.json
##   make bench BENCH_QUICK=1        shorter rounds (a smoke run)
##   make bench BENCH_FLEET="1 10"   other fleet sizes
##
## `make bench` configures a second, optimised build of the whole tree in
## bench/opt/ (CFLAGS=$(BENCH_CFLAGS), whatever the main build uses) and
## runs bench/run.sh against it: decoder throughput, read latency through a
## TLS mosquitto + bluetti-sim against a bare libmosquitto floor, a fleet of
## simulated devices on one connection against the same fleet driven by a
## bare libmosquitto client (bench_fleet_floor), and the footprint of the
## tool.
## See docs/PERFORMANCE.md for the figures and how to read them.

BENCH_CFLAGS = -O2 -g
BENCH_QUICK =
BENCH_FLEET = 1 10 100 1000
BENCH_PROGS = bench/bench_decode bench/bench_read bench/bench_fleet bench/bench_fleet_floor \
	bench/bench_rss
EXTRA_PROGRAMS = $(BENCH_PROGS)

bench_bench_decode_SOURCES = bench/bench_decode.c bench/bench-util.c bench/bench-util.h
bench_bench_decode_LDADD = core/libbluetti.la $(LIBM)
bench_bench_read_SOURCES = bench/bench_read.c bench/bench-util.c bench/bench-util.h
bench_bench_read_CFLAGS = $(AM_CFLAGS) $(MOSQUITTO_CFLAGS)
bench_bench_read_LDADD = core/libbluetti.la $(MOSQUITTO_LIBS) $(LIBM)
bench_bench_fleet_SOURCES = bench/bench_fleet.c bench/bench-util.c bench/bench-util.h
bench_bench_fleet_LDADD = core/libbluetti.la $(LIBM)
bench_bench_fleet_floor_SOURCES = bench/bench_fleet_floor.c bench/bench-util.c bench/bench-util.h
bench_bench_fleet_floor_CFLAGS = $(AM_CFLAGS) $(MOSQUITTO_CFLAGS)
bench_bench_fleet_floor_LDADD = core/libbluetti.la $(MOSQUITTO_LIBS) $(LIBM)
bench_bench_rss_SOURCES = bench/bench_rss.c

EXTRA_DIST += bench/run.sh bench/compare.sh bench/broker.sh tests/shlib.sh bench/bridge.sh bench/soak.sh

## The optimised tree. An in-tree main build cannot host a second
## configure of the same sources: then the main build's own objects are
## used, with a warning. `all` and `bench-programs` are made one after the
## other: made together under -j, `all`'s recursive make and the bench
## programs' own dependency on the library build the same objects at once.
bench-programs: $(BENCH_PROGS)

## The read and fleet benchmarks drive a broker: no libmosquitto, no bench.
if HAVE_MOSQUITTO
BENCH_MISSING =
else
BENCH_MISSING = libmosquitto
endif

bench:
	@test -z '$(BENCH_MISSING)' || { echo "bench: this build has no $(BENCH_MISSING) (the read and fleet benchmarks need it); install libmosquitto-dev and run configure again" >&2; exit 1; }
	@set -e; \
	if test -f '$(abs_top_srcdir)/config.status' && test '$(abs_top_srcdir)' != '$(abs_top_builddir)'; then \
	  echo "bench: $(abs_top_srcdir) is configured in-tree; cannot make an optimised build" >&2; exit 1; fi; \
	if test '$(abs_top_srcdir)' = '$(abs_top_builddir)'; then \
	  echo "bench: WARNING: in-tree build, benchmarking it as configured (CFLAGS: $(CFLAGS))" >&2; \
	  $(MAKE) $(AM_MAKEFLAGS) all; $(MAKE) $(AM_MAKEFLAGS) bench-programs; opt='$(abs_top_builddir)'; \
	else \
	  mkdir -p bench/opt; \
	  if test ! -f bench/opt/config.status || test bench/opt/config.status -ot '$(abs_top_srcdir)/configure'; then \
	    echo "  CONFIGURE bench/opt (CFLAGS=$(BENCH_CFLAGS))"; \
	    (cd bench/opt && '$(abs_top_srcdir)/configure' -q CFLAGS='$(BENCH_CFLAGS)' CC='$(CC)'); \
	  fi; \
	  echo "  MAKE     bench/opt"; \
	  (cd bench/opt && $(MAKE) $(AM_MAKEFLAGS) all >make.log 2>&1 && $(MAKE) $(AM_MAKEFLAGS) bench-programs >>make.log 2>&1) || \
	    { tail -30 bench/opt/make.log >&2; exit 1; }; \
	  opt='$(abs_top_builddir)/bench/opt'; \
	fi; \
	BENCH_QUICK='$(BENCH_QUICK)' BENCH_FLEET='$(BENCH_FLEET)' MOSQUITTO_BROKER='$(MOSQUITTO_BROKER)' \
	OPENSSL_BIN='$(OPENSSL_BIN)' \
	  $(SHELL) '$(abs_top_srcdir)/bench/run.sh' '$(abs_top_srcdir)' "$$opt" \
	  '$(abs_top_builddir)/bench/results.json'; \
	MOSQUITTO_BROKER='$(MOSQUITTO_BROKER)' BENCH_QUICK='$(BENCH_QUICK)' \
	  $(SHELL) '$(abs_top_srcdir)/bench/bridge.sh' '$(abs_top_srcdir)' "$$opt" \
	  '$(abs_top_builddir)/bench/bridge.json'

## `make soak` (outside CI, about 10 minutes): bluetti-bridge with 100
## simulated devices while the target broker restarts every 2 minutes;
## memory and descriptors must stay flat, every state fresh (bench/soak.sh).
soak: tools/bluetti-bridge$(EXEEXT) $(plugin_LTLIBRARIES)
	MOSQUITTO_BROKER='$(MOSQUITTO_BROKER)' $(SHELL) '$(abs_top_srcdir)/bench/soak.sh' \
	  '$(abs_top_srcdir)' '$(abs_top_builddir)'
.PHONY: soak

bench-clean:
	rm -rf bench/opt bench/results.json

clean-local: bench-clean

.PHONY: bench bench-programs bench-clean

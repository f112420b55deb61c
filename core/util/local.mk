## core/util: libbtutil, the internal helper library (never installed):
## clocks, bounded text, the device-address rule, strict numbers, name
## folding, a string index, a due-time queue and escaping. Linked into
## libbluetti, each plugin that needs it, the tools and the tests; built
## with hidden visibility so a shared object that links it exports none of
## it (docs/ARCHITECTURE.md, "The helper library").
noinst_LTLIBRARIES += core/util/libbtutil.la
## Its C files, also compiled straight into the fuzz targets (fuzz/local.mk).
BTUTIL_C_SOURCES = core/util/clock.c core/util/text.c core/util/address.c core/util/numbers.c \
	core/util/name.c core/util/strindex.c core/util/dueq.c core/util/escape.c
core_util_libbtutil_la_SOURCES = $(BTUTIL_C_SOURCES) \
	core/util/bt_clock.h core/util/bt_text.h core/util/bt_address.h core/util/bt_numbers.h \
	core/util/bt_name.h core/util/bt_strindex.h core/util/bt_dueq.h core/util/bt_escape.h
core_util_libbtutil_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
core_util_libbtutil_la_LIBADD = $(LIBM)
## What a user of the library adds to its CPPFLAGS and LIBADD / LDADD.
BTUTIL_CPPFLAGS = -I$(top_srcdir)/core/util
BTUTIL_LIBS = core/util/libbtutil.la

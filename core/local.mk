## core: libbluetti, the plugin-agnostic core.
lib_LTLIBRARIES += core/libbluetti.la
## The core's C files, also compiled straight into the fuzz targets (fuzz/local.mk).
CORE_C_SOURCES = \
	core/version.c core/error.c core/log.c core/retry.c core/modbus.c core/hex.c \
	core/schema.c core/decode.c core/schema_compile.c core/options.c core/option_decl.c \
	core/registry.c core/loader.c core/session.c core/override.c core/profile_match.c \
	core/address.c core/clock.c core/request.c core/reply_match.c core/timer_heap.c core/address_index.c \
	core/write.c core/write_value.c
core_libbluetti_la_SOURCES = $(CORE_C_SOURCES) \
	core/decode_int.h core/clock.h core/logger.h core/modbus_int.h core/session_int.h \
	core/request.h core/reply_match.h core/timer_heap.h core/address_index.h \
	core/registry_int.h core/internal.h core/write_int.h
core_libbluetti_la_CPPFLAGS = $(AM_CPPFLAGS) $(BTUTIL_CPPFLAGS) -DBLUETTI_BUILDING_LIB
core_libbluetti_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
core_libbluetti_la_LDFLAGS = $(AM_LDFLAGS) -no-undefined -version-info $(BLUETTI_LT_VERSION) \
	-export-symbols-regex '^bluetti_'
core_libbluetti_la_LIBADD = $(BTUTIL_LIBS) $(LTDL_LIBS) $(LIBM)

bluettiincludedir = $(includedir)/bluetti
bluettiinclude_HEADERS = \
	include/bluetti/bluetti.h include/bluetti/common.h include/bluetti/error.h \
	include/bluetti/log.h include/bluetti/retry.h include/bluetti/modbus.h \
	include/bluetti/schema.h include/bluetti/decode.h include/bluetti/profile.h \
	include/bluetti/options.h include/bluetti/transport.h include/bluetti/plugin.h \
	include/bluetti/registry.h include/bluetti/session.h

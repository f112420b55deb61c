## core: libbluetti, the plugin-agnostic core.
lib_LTLIBRARIES += core/libbluetti.la
core_libbluetti_la_SOURCES = \
	core/version.c core/error.c core/log.c core/retry.c \
	core/modbus.c core/hex.c core/schema.c core/decode.c \
	core/options.c core/option_decl.c core/registry.c core/loader.c core/session.c core/override.c \
	core/profile_match.c core/address.c \
	core/registry_int.h \
	core/internal.h
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

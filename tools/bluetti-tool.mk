## tools/bluetti-tool.mk: the command-line tool. Built with jansson only:
## its commands build their --json documents as they go (configure says so).
if HAVE_JANSSON
bin_PROGRAMS += tools/bluetti-tool
man_MANS += tools/bluetti-tool.1
endif HAVE_JANSSON
## Every C file of the tool but main.c, also compiled into the config fuzz target.
TOOL_C_SOURCES = \
	tools/bluetti-tool-src/help.c tools/bluetti-tool-src/options.c \
	tools/bluetti-tool-src/settings.c tools/bluetti-tool-src/password.c \
	tools/bluetti-tool-src/util.c tools/bluetti-tool-src/output.c \
	tools/bluetti-tool-src/device.c tools/bluetti-tool-src/cmd_info.c \
	tools/bluetti-tool-src/cmd_decode.c tools/bluetti-tool-src/cmd_read.c \
	tools/bluetti-tool-src/cmd_docs.c tools/bluetti-tool-src/transport_opts.c \
	tools/bluetti-tool-src/cmd_login.c tools/bluetti-tool-src/cloud_profile.c \
	tools/bluetti-tool-src/cloud_lib.c tools/bluetti-tool-src/cmd_set.c $(TOOLS_COMMON_C_SOURCES)
TOOL_C_SOURCES += tools/bluetti-tool-src/cmd_scan.c
tools_bluetti_tool_SOURCES = $(TOOL_C_SOURCES) \
	tools/bluetti-tool-src/main.c tools/bluetti-tool-src/cloud_lib.h \
	tools/bluetti-tool-src/tool.h
## libbluetti-cloud is opened at run time (cloud_lib.c), not linked: a sim
## read or a decode must not map libcurl and OpenSSL.
tools_bluetti_tool_CPPFLAGS = $(AM_CPPFLAGS) $(BTUTIL_CPPFLAGS) $(TOOLS_COMMON_CPPFLAGS) \
	-DLIBDIR='"$(libdir)"' -DBLUETTI_CLOUD_LT_VERSION='"$(BLUETTI_CLOUD_LT_VERSION)"'
tools_bluetti_tool_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tools_bluetti_tool_LDADD = core/libbluetti.la $(BTUTIL_LIBS) $(JANSSON_LIBS) $(LIBM)
EXTRA_tools_bluetti_tool_DEPENDENCIES = core/cloud/libbluetti-cloud.la

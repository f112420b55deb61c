## tools/common: what the command-line programs share (config-line text,
## the default transport), compiled into each program that lists
## $(TOOLS_COMMON_C_SOURCES) and adds $(TOOLS_COMMON_CPPFLAGS).
TOOLS_COMMON_C_SOURCES = tools/common/text.c tools/common/transport.c
TOOLS_COMMON_CPPFLAGS = -I$(top_srcdir)/tools/common
noinst_HEADERS += tools/common/tool_common.h

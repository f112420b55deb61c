## plugins/blocks-ats: block schemas (pure data tables).
plugin_LTLIBRARIES += plugins/blocks-ats.la
plugins_blocks_ats_la_SOURCES = plugins/blocks-ats/blocks_ats.c
plugins_blocks_ats_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_ats_la_LIBADD = $(PLUGIN_LIBADD)

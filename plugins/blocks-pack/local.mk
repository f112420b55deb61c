## plugins/blocks-pack: block schemas (pure data tables).
plugin_LTLIBRARIES += plugins/blocks-pack.la
plugins_blocks_pack_la_SOURCES = plugins/blocks-pack/blocks_pack.c
plugins_blocks_pack_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_pack_la_LIBADD = $(PLUGIN_LIBADD)

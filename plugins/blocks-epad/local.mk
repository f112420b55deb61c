## plugins/blocks-epad: block schemas (pure data tables).
plugin_LTLIBRARIES += plugins/blocks-epad.la
plugins_blocks_epad_la_SOURCES = plugins/blocks-epad/blocks_epad.c
plugins_blocks_epad_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_epad_la_LIBADD = $(PLUGIN_LIBADD)

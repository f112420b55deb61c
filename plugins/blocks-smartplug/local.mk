## plugins/blocks-smartplug: block schemas (pure data tables).
plugin_LTLIBRARIES += plugins/blocks-smartplug.la
plugins_blocks_smartplug_la_SOURCES = plugins/blocks-smartplug/blocks_smartplug.c
plugins_blocks_smartplug_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_smartplug_la_LIBADD = $(PLUGIN_LIBADD)

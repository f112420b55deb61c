## plugins/blocks-iot: block schemas (pure data tables).
plugin_LTLIBRARIES += plugins/blocks-iot.la
plugins_blocks_iot_la_SOURCES = plugins/blocks-iot/blocks_iot.c
plugins_blocks_iot_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_iot_la_LIBADD = $(PLUGIN_LIBADD)

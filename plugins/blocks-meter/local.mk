## plugins/blocks-meter: block schemas (pure data tables).
plugin_LTLIBRARIES += plugins/blocks-meter.la
plugins_blocks_meter_la_SOURCES = plugins/blocks-meter/blocks_meter.c
plugins_blocks_meter_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_meter_la_LIBADD = $(PLUGIN_LIBADD)

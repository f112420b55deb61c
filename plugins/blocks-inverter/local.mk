## plugins/blocks-inverter: block schemas (pure data tables).
plugin_LTLIBRARIES += plugins/blocks-inverter.la
plugins_blocks_inverter_la_SOURCES = plugins/blocks-inverter/blocks_inverter.c
plugins_blocks_inverter_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_inverter_la_LIBADD = $(PLUGIN_LIBADD)

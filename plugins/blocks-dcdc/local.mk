## plugins/blocks-dcdc: block schemas (pure data tables).
plugin_LTLIBRARIES += plugins/blocks-dcdc.la
plugins_blocks_dcdc_la_SOURCES = plugins/blocks-dcdc/blocks_dcdc.c
plugins_blocks_dcdc_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_dcdc_la_LIBADD = $(PLUGIN_LIBADD)

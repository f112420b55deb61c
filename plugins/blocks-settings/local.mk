## plugins/blocks-settings: block schemas (pure data tables).
plugin_LTLIBRARIES += plugins/blocks-settings.la
plugins_blocks_settings_la_SOURCES = plugins/blocks-settings/blocks_settings.c
plugins_blocks_settings_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_settings_la_LIBADD = $(PLUGIN_LIBADD)

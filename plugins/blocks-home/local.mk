## plugins/blocks-home: blocks 1 BASE_CONFIG and 100 APP_HOME_DATA (pure data tables).
plugin_LTLIBRARIES += plugins/blocks-home.la
plugins_blocks_home_la_SOURCES = plugins/blocks-home/blocks_home.c
plugins_blocks_home_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_home_la_LIBADD = $(PLUGIN_LIBADD)

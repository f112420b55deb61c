## plugins/blocks-boot: block schemas (pure data tables).
plugin_LTLIBRARIES += plugins/blocks-boot.la
plugins_blocks_boot_la_SOURCES = plugins/blocks-boot/blocks_boot.c
plugins_blocks_boot_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_boot_la_LIBADD = $(PLUGIN_LIBADD)

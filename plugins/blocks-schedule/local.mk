## plugins/blocks-schedule: block schemas (pure data tables).
plugin_LTLIBRARIES += plugins/blocks-schedule.la
plugins_blocks_schedule_la_SOURCES = plugins/blocks-schedule/blocks_schedule.c
plugins_blocks_schedule_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_schedule_la_LIBADD = $(PLUGIN_LIBADD)

## plugins/blocks-*: every block plugin, in one fragment. Each is pure data
## (its schema tables in plugins/blocks-NAME/blocks_NAME.c), built as a
## libtool module linked like every plugin (PLUGIN_LDFLAGS: only the
## descriptor is exported). A new block family is a folder with its .c file
## and the four lines of its stanza below; docs/PLUGIN-GUIDE.md says what
## goes in the file.

plugin_LTLIBRARIES += plugins/blocks-ats.la
plugins_blocks_ats_la_SOURCES = plugins/blocks-ats/blocks_ats.c
plugins_blocks_ats_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_ats_la_LIBADD = $(PLUGIN_LIBADD)
plugin_LTLIBRARIES += plugins/blocks-boot.la
plugins_blocks_boot_la_SOURCES = plugins/blocks-boot/blocks_boot.c
plugins_blocks_boot_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_boot_la_LIBADD = $(PLUGIN_LIBADD)
plugin_LTLIBRARIES += plugins/blocks-dcdc.la
plugins_blocks_dcdc_la_SOURCES = plugins/blocks-dcdc/blocks_dcdc.c
plugins_blocks_dcdc_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_dcdc_la_LIBADD = $(PLUGIN_LIBADD)
plugin_LTLIBRARIES += plugins/blocks-epad.la
plugins_blocks_epad_la_SOURCES = plugins/blocks-epad/blocks_epad.c
plugins_blocks_epad_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_epad_la_LIBADD = $(PLUGIN_LIBADD)
plugin_LTLIBRARIES += plugins/blocks-home.la
plugins_blocks_home_la_SOURCES = plugins/blocks-home/blocks_home.c
plugins_blocks_home_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_home_la_LIBADD = $(PLUGIN_LIBADD)
plugin_LTLIBRARIES += plugins/blocks-inverter.la
plugins_blocks_inverter_la_SOURCES = plugins/blocks-inverter/blocks_inverter.c
plugins_blocks_inverter_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_inverter_la_LIBADD = $(PLUGIN_LIBADD)
plugin_LTLIBRARIES += plugins/blocks-iot.la
plugins_blocks_iot_la_SOURCES = plugins/blocks-iot/blocks_iot.c
plugins_blocks_iot_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_iot_la_LIBADD = $(PLUGIN_LIBADD)
plugin_LTLIBRARIES += plugins/blocks-meter.la
plugins_blocks_meter_la_SOURCES = plugins/blocks-meter/blocks_meter.c
plugins_blocks_meter_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_meter_la_LIBADD = $(PLUGIN_LIBADD)
plugin_LTLIBRARIES += plugins/blocks-pack.la
plugins_blocks_pack_la_SOURCES = plugins/blocks-pack/blocks_pack.c
plugins_blocks_pack_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_pack_la_LIBADD = $(PLUGIN_LIBADD)
plugin_LTLIBRARIES += plugins/blocks-schedule.la
plugins_blocks_schedule_la_SOURCES = plugins/blocks-schedule/blocks_schedule.c
plugins_blocks_schedule_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_schedule_la_LIBADD = $(PLUGIN_LIBADD)
plugin_LTLIBRARIES += plugins/blocks-settings.la
plugins_blocks_settings_la_SOURCES = plugins/blocks-settings/blocks_settings.c
plugins_blocks_settings_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_settings_la_LIBADD = $(PLUGIN_LIBADD)
plugin_LTLIBRARIES += plugins/blocks-smartplug.la
plugins_blocks_smartplug_la_SOURCES = plugins/blocks-smartplug/blocks_smartplug.c
plugins_blocks_smartplug_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_blocks_smartplug_la_LIBADD = $(PLUGIN_LIBADD)

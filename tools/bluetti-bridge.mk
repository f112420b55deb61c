## tools/bluetti-bridge.mk: the MQTT / Home Assistant bridge daemon. It
## needs libmosquitto and jansson (the sim images); libsystemd is optional
## (sd_notify). Sources in tools/bluetti-bridge-src/, one job a file.
bin_PROGRAMS += tools/bluetti-bridge
tools_bluetti_bridge_SOURCES = \
	tools/bluetti-bridge-src/bridge.h tools/bluetti-bridge-src/runtime.h \
	tools/bluetti-bridge-src/main.c tools/bluetti-bridge-src/conf_read.c \
	tools/bluetti-bridge-src/conf.c tools/bluetti-bridge-src/secret.c \
	tools/bluetti-bridge-src/sim_serial.c tools/bluetti-bridge-src/shard.c \
	tools/bluetti-bridge-src/buf.c tools/bluetti-bridge-src/log.c \
	tools/bluetti-bridge-src/outbox.c tools/bluetti-bridge-src/target.c \
	tools/bluetti-bridge-src/health.c tools/bluetti-bridge-src/source.c \
	tools/bluetti-bridge-src/device.c tools/bluetti-bridge-src/publish.c \
	tools/bluetti-bridge-src/discovery.c tools/bluetti-bridge-src/control.c tools/bluetti-bridge-src/apply.c \
	tools/bluetti-bridge-src/signals.c tools/bluetti-bridge-src/notify.c \
	tools/bluetti-bridge-src/sched.c \
	$(TOOLS_COMMON_C_SOURCES)
tools_bluetti_bridge_CPPFLAGS = $(AM_CPPFLAGS) $(BTUTIL_CPPFLAGS) $(TOOLS_COMMON_CPPFLAGS) \
	-I$(top_srcdir)/plugins/transport-sim
tools_bluetti_bridge_CFLAGS = $(AM_CFLAGS) $(MOSQUITTO_CFLAGS) $(JANSSON_CFLAGS)
tools_bluetti_bridge_LDADD = core/libbluetti.la plugins/libsimdev.la $(BTUTIL_LIBS) \
	$(MOSQUITTO_LIBS) $(JANSSON_LIBS) $(LIBM)
if HAVE_LIBSYSTEMD
tools_bluetti_bridge_CFLAGS += $(SYSTEMD_CFLAGS)
tools_bluetti_bridge_LDADD += $(SYSTEMD_LIBS)
endif
man_MANS += tools/bluetti-bridge.1

## systemd units: one bridge, or one per shard (bluetti-bridge@K:N), with
## the installed program's path filled in.
systemdunitdir = $(prefix)/lib/systemd/system
systemdunit_DATA = data/bluetti-bridge.service data/bluetti-bridge@.service
CLEANFILES += data/bluetti-bridge.service data/bluetti-bridge@.service
data/bluetti-bridge.service: $(srcdir)/data/bluetti-bridge.service.in Makefile
	@$(MKDIR_P) data
	$(AM_V_GEN)sed 's|__BINDIR__|$(bindir)|g' $(srcdir)/data/bluetti-bridge.service.in > $@
data/bluetti-bridge@.service: $(srcdir)/data/bluetti-bridge@.service.in Makefile
	@$(MKDIR_P) data
	$(AM_V_GEN)sed 's|__BINDIR__|$(bindir)|g' '$(srcdir)/data/bluetti-bridge@.service.in' > '$@'

## plugins/profile-elite-v2: the Elite 30 V2, Elite 100 V2 and Elite 200 V2 profiles.
plugin_LTLIBRARIES += plugins/profile-elite-v2.la
plugins_profile_elite_v2_la_SOURCES = plugins/profile-elite-v2/profiles.c
plugins_profile_elite_v2_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_profile_elite_v2_la_LIBADD = $(PLUGIN_LIBADD)

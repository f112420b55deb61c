## plugins/profile-v2-models: further V2 models (Premium V2, Elite 10, AC, EP, AP, Handsfree).
plugin_LTLIBRARIES += plugins/profile-v2-models.la
plugins_profile_v2_models_la_SOURCES = plugins/profile-v2-models/profiles.c
plugins_profile_v2_models_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_profile_v2_models_la_LIBADD = $(PLUGIN_LIBADD)

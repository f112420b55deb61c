## core/cloud: libbluetti-cloud, the Bluetti cloud's algorithms, payload
## envelope and the account client (login, devices, certificate, stored
## profile). Used by transport-mqtt, the tool, bluetti-sim --cloud and the
## test broker's auth plugin.
## Built with jansson only (the cloud's API speaks JSON); simdev.h still
## includes cloud.h for the envelope names, so it is distributed either way.
if HAVE_JANSSON
lib_LTLIBRARIES += core/cloud/libbluetti-cloud.la
bluettiinclude_HEADERS += include/bluetti/cloud.h
endif HAVE_JANSSON
core_cloud_libbluetti_cloud_la_SOURCES = core/cloud/crypto.c core/cloud/envelope.c \
	core/cloud/client.h core/cloud/client.c core/cloud/http.c core/cloud/api.c \
	core/cloud/cert.c core/cloud/profile.c
core_cloud_libbluetti_cloud_la_CPPFLAGS = $(AM_CPPFLAGS) $(BTUTIL_CPPFLAGS) -DBLUETTI_BUILDING_LIB
core_cloud_libbluetti_cloud_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden $(OPENSSL_CFLAGS) \
	$(LIBCURL_CFLAGS) $(JANSSON_CFLAGS)
core_cloud_libbluetti_cloud_la_LDFLAGS = $(AM_LDFLAGS) -no-undefined -version-info $(BLUETTI_CLOUD_LT_VERSION) \
	-export-symbols-regex '^bluetti_(cloud|envelope)_'
core_cloud_libbluetti_cloud_la_LIBADD = core/libbluetti.la $(BTUTIL_LIBS) $(OPENSSL_LIBS) $(LIBCURL_LIBS) $(JANSSON_LIBS)

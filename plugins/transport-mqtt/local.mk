## plugins/transport-mqtt: the "mqtt" transport (libmosquitto + OpenSSL) and
## the connection code it shares with tools/bluetti-sim (libmqttconn: the
## PKCS#12-in-memory TLS context, connect/reconnect, subscriptions). Like
## libsimdev it uses core/util; its users link libbtutil.
## Built only with libmosquitto (configure --without-mosquitto leaves it out).
if HAVE_MOSQUITTO
noinst_LTLIBRARIES += plugins/libmqttconn.la
plugins_libmqttconn_la_SOURCES = \
	plugins/transport-mqtt/conn.c plugins/transport-mqtt/conn.h \
	plugins/transport-mqtt/tls.c plugins/transport-mqtt/tls.h
plugins_libmqttconn_la_CPPFLAGS = $(AM_CPPFLAGS) $(BTUTIL_CPPFLAGS)
plugins_libmqttconn_la_CFLAGS = $(AM_CFLAGS) $(MOSQUITTO_CFLAGS) $(OPENSSL_CFLAGS)
plugins_libmqttconn_la_LIBADD = $(MOSQUITTO_LIBS) $(OPENSSL_LIBS) $(PTHREAD_LIBS) $(LIBM)

plugin_LTLIBRARIES += plugins/transport-mqtt.la
plugins_transport_mqtt_la_SOURCES = plugins/transport-mqtt/transport_mqtt.c \
	plugins/transport-mqtt/live.c plugins/transport-mqtt/live.h \
	plugins/transport-mqtt/profile.c
plugins_transport_mqtt_la_CPPFLAGS = $(AM_CPPFLAGS) $(BTUTIL_CPPFLAGS)
plugins_transport_mqtt_la_CFLAGS = $(AM_CFLAGS) $(MOSQUITTO_CFLAGS) $(OPENSSL_CFLAGS)
plugins_transport_mqtt_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_transport_mqtt_la_LIBADD = $(PLUGIN_LIBADD) plugins/libmqttconn.la $(BTUTIL_LIBS) \
	core/cloud/libbluetti-cloud.la $(MOSQUITTO_LIBS) $(OPENSSL_LIBS)
endif HAVE_MOSQUITTO

## tests/integration/bridge: bluetti-bridge between two real mosquitto
## brokers (source with TLS client certificates and bluetti-sim; target
## plain and TLS with user/password); control.sh: Home Assistant commands
## to a control-enabled device change the simulator and the state follows.
BRIDGE_INTEGRATION_TESTS = tests/integration/bridge/brokers.sh tests/integration/bridge/control.sh
TESTS += $(BRIDGE_INTEGRATION_TESTS)
INTEGRATION_TESTS += $(BRIDGE_INTEGRATION_TESTS)
dist_check_SCRIPTS += $(BRIDGE_INTEGRATION_TESTS)
## notify.sh: the systemd notifications (READY, WATCHDOG, RELOADING, STOPPING)
## on a datagram socket of the test's; built without libsystemd the bridge
## sends none, so the test is left out then.
if HAVE_LIBSYSTEMD
TESTS += tests/integration/bridge/notify.sh
INTEGRATION_TESTS += tests/integration/bridge/notify.sh
endif HAVE_LIBSYSTEMD
dist_check_SCRIPTS += tests/integration/bridge/notify.sh

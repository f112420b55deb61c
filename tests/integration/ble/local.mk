## tests/integration/ble: transport-ble through a BlueZ stand-in
## (python-dbusmock's bluez5 template plus the ff00 service, on a private
## bus) forwarding to bluetti-sim --ble stations.
## (bluetti-sim and bluetti-tool: with jansson only)
if HAVE_LIBSYSTEMD
if HAVE_JANSSON
TESTS += tests/integration/ble/read.sh
INTEGRATION_TESTS += tests/integration/ble/read.sh
endif HAVE_JANSSON
endif
dist_check_SCRIPTS += tests/integration/ble/read.sh
EXTRA_DIST += tests/integration/ble/bluez_bluetti.py

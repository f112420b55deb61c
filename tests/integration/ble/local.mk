## tests/integration/ble: transport-ble through a BlueZ stand-in
## (python-dbusmock's bluez5 template plus the ff00 service, on a private
## bus) forwarding to bluetti-sim --ble stations.
if HAVE_LIBSYSTEMD
TESTS += tests/integration/ble/read.sh
INTEGRATION_TESTS += tests/integration/ble/read.sh
endif
dist_check_SCRIPTS += tests/integration/ble/read.sh
EXTRA_DIST += tests/integration/ble/bluez_bluetti.py

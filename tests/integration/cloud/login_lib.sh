#!/bin/sh
# libbluetti-cloud's account client (tests/integration/cloud/test_login) against the
# simulated cloud: start bluetti-sim --cloud with the standard test accounts
# and run the CUnit suites with its address, CA and bundle password.
set -u
. "${BLUETTI_TEST_SRCDIR:-.}/tests/integration/cloud/harness.sh"
cloud_init login-lib
cloud_pki
cloud_write_config "$CT/cloud.json"
cloud_start_api "$CT/cloud.json"
BT_CLOUD_API="https://127.0.0.1:$CLOUD_API_PORT"
BT_CLOUD_CA="$CT/pki/ca.crt"
export BT_CLOUD_API BT_CLOUD_CA BT_CLOUD_PFX_PASSWORD
# (not $st: cloud_stop uses that name)
status=0
TMPDIR="$CT" $WRAP "$B/tests/integration/cloud/test_login" || status=$?
cloud_stop "$CLOUD_API_PID" "bluetti-sim --cloud"
[ $status -eq 0 ] || fail "test_login failed (status $status)"
exit 0

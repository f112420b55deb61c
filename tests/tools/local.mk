## tests/tools: command-line tests of bluetti-tool (new ones; the older ones
## live in tests/tool/ until the regrouping moves them).
TESTS += tests/tools/scan.sh tests/tools/sim_ble.sh
dist_check_SCRIPTS += tests/tools/scan.sh tests/tools/sim_ble.sh

## tests/tools: bluetti-tool scan (through transport-sim's discover op) and
## bluetti-sim --ble's command line.
TESTS += tests/tools/bluetti-tool/scan.sh tests/tools/bluetti-sim/sim_ble.sh
dist_check_SCRIPTS += tests/tools/bluetti-tool/scan.sh tests/tools/bluetti-sim/sim_ble.sh

## tools/bluetti-sim.mk

## tests/sim.mk: rules go here.

## tests/mqtt.mk: rules go here.

## tests/blocks2.mk: rules go here.

## tests/blocks.mk: rules go here.

## tests/decode.mk: rules go here.

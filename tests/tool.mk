## tests/tool.mk: rules go here.

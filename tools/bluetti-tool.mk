## tools/bluetti-tool.mk

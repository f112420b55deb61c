## fuzz/local.mk: rules go here.

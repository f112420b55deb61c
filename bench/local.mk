## bench/local.mk: rules go here.

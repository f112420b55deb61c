## docs/local.mk: rules go here.

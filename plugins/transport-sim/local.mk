## plugins/transport-sim: rules go here.

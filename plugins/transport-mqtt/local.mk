## plugins/transport-mqtt: rules go here.

## plugins/blocks-inverter: rules go here.

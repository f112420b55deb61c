## plugins/blocks-meter: rules go here.

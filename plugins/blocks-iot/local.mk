## plugins/blocks-iot: rules go here.

## plugins/blocks-smartplug: rules go here.

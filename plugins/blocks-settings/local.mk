## plugins/blocks-settings: rules go here.

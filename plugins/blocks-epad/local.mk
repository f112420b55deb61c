## plugins/blocks-epad: rules go here.

## plugins/blocks-pack: rules go here.

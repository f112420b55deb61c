## plugins/blocks-boot: rules go here.

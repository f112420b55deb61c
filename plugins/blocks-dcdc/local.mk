## plugins/blocks-dcdc: rules go here.

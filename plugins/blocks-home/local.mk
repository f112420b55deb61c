## plugins/blocks-home: rules go here.

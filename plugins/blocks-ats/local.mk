## plugins/blocks-ats: rules go here.

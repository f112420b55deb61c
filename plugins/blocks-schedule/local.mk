## plugins/blocks-schedule: rules go here.

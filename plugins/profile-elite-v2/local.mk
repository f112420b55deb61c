## plugins/profile-elite-v2: rules go here.

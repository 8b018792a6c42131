"""`serve`: the site on 127.0.0.1, rebuilt on every change, with a resident model that shows an
edit at once."""

"""Networks of networks: national, regional and European networks and who belongs to them."""

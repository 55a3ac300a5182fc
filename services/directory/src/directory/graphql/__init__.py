"""The directory's Apollo Federation v2 subgraph: Network, Centre and Educator entities."""

"""Demo kits drawn from the network's documents."""

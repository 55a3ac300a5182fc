"""Demo events drawn from the network's seed documents."""

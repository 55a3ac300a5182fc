"""Demo data drawn from the network's seed documents, and synthetic data for benchmarks."""

"""The events service's Apollo Federation v2 subgraph: Event entities, and Centre.events."""

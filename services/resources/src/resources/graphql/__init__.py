"""The resources service's Apollo Federation v2 subgraph: Kit entities, and Centre.kits."""

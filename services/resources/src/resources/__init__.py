"""The resources service: kits and materials centres lend, reservations, loans and holds."""

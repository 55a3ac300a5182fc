"""Availability: the day ledger that prevents double booking, blackouts, maintenance holds."""

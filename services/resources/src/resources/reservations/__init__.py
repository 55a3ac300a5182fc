"""Reservations: K of a kit's N items for a date range, never double booked."""

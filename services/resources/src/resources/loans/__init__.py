"""Loans: items handed out against a reservation, checked back in, renewed, overdue."""

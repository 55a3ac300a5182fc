"""Transfers: a kit moving to another centre, held while in transit."""

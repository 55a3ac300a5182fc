"""Centres: the places that run professional development, and how to find them."""

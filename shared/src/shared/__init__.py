"""The kit every pdnet service is built from.

Nothing in here knows about a particular service: services import it, never the other way round.
"""

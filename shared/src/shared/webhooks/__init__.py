"""Webhooks every service offers: subscriptions, signed deliveries from the outbox, a log."""

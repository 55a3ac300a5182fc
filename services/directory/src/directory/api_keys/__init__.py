"""API keys for integrations: the directory issues and checks them for every service."""

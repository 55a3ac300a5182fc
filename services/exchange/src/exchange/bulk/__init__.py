"""Bulk export of exchange offers (CSV and NDJSON)."""

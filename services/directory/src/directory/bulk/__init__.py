"""Bulk export and import of centres (CSV and NDJSON)."""

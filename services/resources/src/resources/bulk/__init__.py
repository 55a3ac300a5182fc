"""Bulk export of kits and loans (CSV and NDJSON)."""

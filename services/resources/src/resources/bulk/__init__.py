"""Bulk export of kits and loans, bulk import of kits (CSV and NDJSON)."""

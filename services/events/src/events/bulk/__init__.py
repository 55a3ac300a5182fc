"""Bulk export of events and registrations (CSV and NDJSON)."""

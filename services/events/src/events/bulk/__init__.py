"""Bulk export of events and registrations, bulk import of events (CSV and NDJSON)."""

"""Bulk data in and out of a service: streamed CSV and NDJSON exports, all-or-nothing imports.

`formats` encodes and decodes the two open formats, `export` streams a filtered list in keyset
chunks so memory stays flat at any size, `imports` reads an upload, reports every rejected row
with its line number, and upserts the rest in chunks.
"""

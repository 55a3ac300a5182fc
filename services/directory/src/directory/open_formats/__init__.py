"""Read views in formats others already speak: GeoJSON, schema.org JSON-LD, Open Referral HSDS.

Everything here is public data: centres' public descriptions and public contact, never
educators or anything else about people.
"""

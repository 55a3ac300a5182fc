"""Open formats for events: iCalendar feeds and schema.org JSON-LD."""

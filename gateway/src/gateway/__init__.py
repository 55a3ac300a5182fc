"""The pdnet federation gateway."""

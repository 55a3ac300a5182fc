"""The pdnet exchange service: placements for teacher educators."""

"""The events service: courses, events and sessions, registration, attendance, CPD hours."""

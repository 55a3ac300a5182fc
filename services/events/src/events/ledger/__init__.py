"""Attendance per session and the CPD-hours ledger it feeds."""

"""Registration that never oversells: seats, the waitlist, offers, approvals, go/no-go."""

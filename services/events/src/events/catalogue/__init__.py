"""Events and their sessions: what is offered, where, when, for whom, and how many places."""

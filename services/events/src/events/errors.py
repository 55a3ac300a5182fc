"""The events service's expected failures, each an RFC 9457 problem type."""

from shared.problems import Conflict, NotFound, problem_type


class EventNotFound(NotFound):
    type = problem_type("event-not-found")
    title = "Event not found"


class RegistrationNotFound(NotFound):
    type = problem_type("registration-not-found")
    title = "Registration not found"


class EventFull(Conflict):
    type = problem_type("event-full")
    title = "No place left"


class RegistrationClosed(Conflict):
    type = problem_type("registration-closed")
    title = "Registration is not open"


class AlreadyRegistered(Conflict):
    type = problem_type("already-registered")
    title = "Already registered"


class IllegalTransition(Conflict):
    type = problem_type("illegal-transition")
    title = "Not possible in the registration's current state"


class IdempotencyKeyReused(Conflict):
    type = problem_type("idempotency-key-reused")
    title = "Idempotency key reused for a different request"

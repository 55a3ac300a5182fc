"""The exchange service's expected failures, each an RFC 9457 problem type."""

from shared.problems import Conflict, NotFound, ServiceUnavailable, problem_type


class OfferNotFound(NotFound):
    type = problem_type("offer-not-found")
    title = "Offer not found"


class ApplicationNotFound(NotFound):
    type = problem_type("application-not-found")
    title = "Application not found"


class IllegalTransition(Conflict):
    """The action is not possible in the application's state; says which ones are."""

    type = problem_type("illegal-transition")
    title = "Not possible in the application's current state"


class OfferFull(Conflict):
    type = problem_type("offer-full")
    title = "No place left on this offer"


class OfferNotOpen(Conflict):
    type = problem_type("offer-not-open")
    title = "The offer takes no applications"


class AlreadyApplied(Conflict):
    type = problem_type("already-applied")
    title = "Already applied to this offer"


class OverlappingExchange(Conflict):
    """The educator already has a confirmed exchange on some of these days."""

    type = problem_type("overlapping-exchange")
    title = "Overlaps another confirmed exchange"


class PlacesBelowTaken(Conflict):
    type = problem_type("places-below-taken")
    title = "Fewer places than already accepted"


class LedgerUnavailable(ServiceUnavailable):
    title = "CPD ledger unavailable"


class LedgerRefused(Conflict):
    """The events service refused the credit (e.g. the key was used for another credit)."""

    type = problem_type("ledger-refused")
    title = "The CPD ledger refused the credit"

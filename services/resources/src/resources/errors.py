"""The resources service's expected failures, each an RFC 9457 problem type."""

from shared.problems import Conflict, NotFound, problem_type


class KitNotFound(NotFound):
    type = problem_type("kit-not-found")
    title = "Kit not found"


class ReservationNotFound(NotFound):
    type = problem_type("reservation-not-found")
    title = "Reservation not found"


class LoanNotFound(NotFound):
    type = problem_type("loan-not-found")
    title = "Loan not found"


class ReservationConflict(Conflict):
    """Not enough items free; the problem says what is free instead."""

    type = problem_type("reservation-conflict")
    title = "Not enough items free for those dates"


class NotReservable(Conflict):
    type = problem_type("not-reservable")
    title = "This catalogue entry cannot be reserved"


class CalendarConflict(Conflict):
    """A blackout, hold or smaller pool would clash with what is already booked."""

    type = problem_type("calendar-conflict")
    title = "Clashes with existing bookings"


class IllegalTransition(Conflict):
    type = problem_type("illegal-transition")
    title = "Not possible in the current state"


class PrerequisiteMissing(Conflict):
    type = problem_type("prerequisite-missing")
    title = "The borrower has not attended the required course"

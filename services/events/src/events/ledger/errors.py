"""Expected failures of attendance, the ledger and certificates, each an RFC 9457 problem type."""

from shared.problems import Conflict, NotFound, problem_type


class LedgerNotFound(NotFound):
    type = problem_type("ledger-not-found")
    title = "Ledger not found"


class NotAttended(Conflict):
    type = problem_type("not-attended")
    title = "The registration was not attended"


class CreditKeyReused(Conflict):
    type = problem_type("credit-key-reused")
    title = "Credit key reused for a different credit"

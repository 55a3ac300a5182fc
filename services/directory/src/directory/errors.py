"""The directory's expected failures, each an RFC 9457 problem type."""

from shared.problems import Conflict, NotFound, problem_type


class CentreNotFound(NotFound):
    type = problem_type("centre-not-found")
    title = "Centre not found"


class NetworkNotFound(NotFound):
    type = problem_type("network-not-found")
    title = "Network not found"


class LabelNotFound(NotFound):
    type = problem_type("label-not-found")
    title = "Quality label not found"


class EducatorNotFound(NotFound):
    type = problem_type("educator-not-found")
    title = "Educator not found"


class MembershipNotFound(NotFound):
    type = problem_type("membership-not-found")
    title = "Membership not found"


class IdentifierTaken(Conflict):
    type = problem_type("identifier-taken")
    title = "Identifier already in use"


class NetworkCycle(Conflict):
    type = problem_type("network-cycle")
    title = "Membership would make a network a member of itself"

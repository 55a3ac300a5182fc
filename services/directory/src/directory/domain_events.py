"""The directory's domain events, recorded in the outbox by the writes that cause them."""

EVENT_TYPES = (
    "network.created",
    "network.updated",
    "network.member_added",
    "network.member_removed",
    "centre.created",
    "centre.updated",
    "label.created",
    "label.updated",
    "educator.created",
    "educator.updated",
    "educator.deleted",
)

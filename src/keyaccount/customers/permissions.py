"""Who may do what to a customer they can see (SPEC §2). Visibility comes first: these
predicates are only asked about customers already inside ``visible_to(user)``."""

from keyaccount.org.capabilities import SELLING_ROLES, Capabilities, capabilities_for

__all__ = [
    "SELLING_ROLES",
    "Capabilities",
    "can_allocate",
    "can_decide_registration",
    "can_edit_contacts",
    "can_edit_profile",
    "can_evaluate",
    "can_grade",
    "can_import",
    "can_request_registration",
    "can_score",
    "capabilities_for",
]


def can_request_registration(caps: Capabilities) -> bool:
    return caps.everything or caps.sells


def can_decide_registration(caps: Capabilities, owner_unit_id: int | None) -> bool:
    return caps.everything or (
        owner_unit_id is not None and owner_unit_id in caps.assisted_unit_ids
    )


def can_edit_profile(caps: Capabilities, owner_id: int, owner_unit_id: int | None) -> bool:
    """The owner, their managers, and the assistant (who keeps master data clean)."""
    return (
        caps.user_id == owner_id
        or caps.manages(owner_unit_id)
        or (owner_unit_id is not None and owner_unit_id in caps.assisted_unit_ids)
    )


def can_score(caps: Capabilities, owner_id: int, owner_unit_id: int | None) -> bool:
    """The owner fills the scorecard; their managers may too. The assistant may not."""
    return caps.user_id == owner_id or caps.manages(owner_unit_id)


def can_grade(caps: Capabilities, owner_unit_id: int | None) -> bool:
    """A manager sets the grade: team manager, department head, director, administrator."""
    return caps.manages(owner_unit_id)


def can_allocate(caps: Capabilities, owner_unit_id: int | None) -> bool:
    """The department head allocates and reallocates customers (and administrators)."""
    return caps.everything or (owner_unit_id is not None and owner_unit_id in caps.head_unit_ids)


def can_import(caps: Capabilities) -> bool:
    """Who may use the customer import: whoever registers customers (KAMs, account managers,
    senior KAMs, administrators), and those who keep customer data in their scope without
    registering (department assistant, department head, sales director, team managers): for
    them rows matching no customer are errors, since only sellers register customers."""
    return can_request_registration(caps) or bool(caps.assisted_unit_ids or caps.managed_unit_ids)


def can_edit_contacts(caps: Capabilities, owner_id: int, owner_unit_id: int | None) -> bool:
    return can_edit_profile(caps, owner_id, owner_unit_id)


def can_evaluate(caps: Capabilities, owner_id: int, owner_unit_id: int | None) -> bool:
    return can_score(caps, owner_id, owner_unit_id)

"""What the customers app tells people (``org.notifications``) and the events it writes into
history (``core.events``): registered once, from ``CustomersConfig.ready``."""

from django.utils.translation import gettext_lazy as _

from keyaccount.core import events
from keyaccount.org.notifications import NoticeGroup, NoticeKind, register_group, register_kind

ALLOCATION = "customers.allocation"
REGISTRATION = "customers.registration"

ALLOCATED_TO_YOU = "customers.allocated_to_you"
ALLOCATED_TO_YOU_MANY = "customers.allocated_to_you_many"
REALLOCATED_AWAY = "customers.reallocated_away"
REALLOCATED_AWAY_MANY = "customers.reallocated_away_many"
REGISTRATION_APPROVED = "customers.registration_approved"
REGISTRATION_REJECTED = "customers.registration_rejected"
REGISTRATIONS_APPROVED_MANY = "customers.registrations_approved_many"
REGISTRATIONS_REJECTED_MANY = "customers.registrations_rejected_many"

#: history event: a registration approved without a note (the first owner's allocation)
EVENT_REGISTRATION_APPROVED = "registration_approved"


def register() -> None:
    register_group(
        NoticeGroup(ALLOCATION, _("A customer is allocated to me, or taken from me"), order=10)
    )
    register_group(NoticeGroup(REGISTRATION, _("A registration request of mine is decided"), 20))
    for code, group, message in (
        (
            ALLOCATED_TO_YOU,
            ALLOCATION,
            _("%(actor)s allocated %(customer)s to you (from %(old_owner)s): %(reason)s"),
        ),
        (
            ALLOCATED_TO_YOU_MANY,
            ALLOCATION,
            _("%(actor)s allocated %(count)s customers to you (%(names)s …): %(reason)s"),
        ),
        (
            REALLOCATED_AWAY,
            ALLOCATION,
            _("%(actor)s reallocated %(customer)s from you to %(new_owner)s: %(reason)s"),
        ),
        (
            REALLOCATED_AWAY_MANY,
            ALLOCATION,
            _(
                "%(actor)s reallocated %(count)s of your customers (%(names)s …) to "
                "%(new_owner)s: %(reason)s"
            ),
        ),
        (
            REGISTRATION_APPROVED,
            REGISTRATION,
            _("%(actor)s approved your registration of %(customer)s: it is yours now."),
        ),
        (
            REGISTRATION_REJECTED,
            REGISTRATION,
            _("%(actor)s rejected your registration of %(customer)s: %(reason)s"),
        ),
        (
            REGISTRATIONS_APPROVED_MANY,
            REGISTRATION,
            _(
                "%(actor)s approved %(count)s of your registrations (%(names)s …): they are "
                "yours now."
            ),
        ),
        (
            REGISTRATIONS_REJECTED_MANY,
            REGISTRATION,
            _("%(actor)s rejected %(count)s of your registrations (%(names)s …): %(reason)s"),
        ),
    ):
        register_kind(NoticeKind(code, group, message))
    events.register(EVENT_REGISTRATION_APPROVED, _("Registration approved"))

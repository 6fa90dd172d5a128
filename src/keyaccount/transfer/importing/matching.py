"""What the rows are checked against: the live customers and everything else a sheet's planner
needs (``Context``, loaded in a fixed number of queries), and what the planners and commits of
contacts and evaluations share: finding a row's customer, loading records in chunks, turning a
service's refusal into the row's errors."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from keyaccount.core.versioning import StaleEditError
from keyaccount.customers import permissions, rules
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.customers.selectors import DuplicateView
from keyaccount.org.models import User
from keyaccount.org.selectors import people_list

from .cells import References, choice_key
from .plan import FAILED, Row


@dataclass
class Live:
    """One live (not rejected) customer, as far as matching needs it."""

    id: int
    name: str
    credit_code: str
    name_key: str
    core_key: str
    status: str
    owner_id: int
    owner_unit_id: int | None
    version: int
    visible: bool


@dataclass
class Context:
    """Everything the rows are checked against, loaded in a fixed number of queries."""

    user: User
    caps: permissions.Capabilities
    refs: References
    live: dict[int, Live]
    by_code: dict[str, int]
    by_name: dict[str, int]
    owners: dict[int, str]
    #: customers of the file: name key / credit code → the customer row
    file_customers: dict[str, Row] = field(default_factory=dict)
    #: called once per row written by a commit (a progress bar's step)
    step: Callable[[], None] = field(default=lambda: None)
    #: checking again for a commit: what only informs (likely duplicates) is kept from the
    #: preview instead of being looked for again
    committing: bool = False

    def steps(self, n: int) -> None:
        """``n`` rows written at once (a set-based service's chunk)."""
        for _i in range(n):
            self.step()

    @classmethod
    def load(cls, user: User, refs: References | None = None) -> "Context":
        caps = permissions.capabilities_for(user)
        visible = set(Customer.objects.visible_to(user).values_list("id", flat=True))
        live: dict[int, Live] = {}
        rows = (
            Customer.objects.exclude(status=RegistrationStatus.REJECTED)
            .values_list(
                "id",
                "name",
                "credit_code",
                "name_key",
                "core_key",
                "status",
                "owner_id",
                "owner__unit_id",
                "version",
            )
            .order_by("id")
            .iterator(chunk_size=5000)
        )
        for pk, name, code, nkey, ckey, status, owner, unit, version in rows:
            live[pk] = Live(pk, name, code, nkey, ckey, status, owner, unit, version, pk in visible)
        by_code = {c.credit_code: c.id for c in live.values() if c.credit_code}
        by_name = {c.name_key: c.id for c in live.values() if c.name_key}
        return cls(user, caps, refs or References.load(), live, by_code, by_name, {})

    def owner_names(self, ids: Iterable[int]) -> None:
        wanted = set(ids) - set(self.owners)
        for u in User.objects.filter(pk__in=wanted):
            self.owners[u.pk] = str(u)

    def duplicate_view(self, match: rules.DuplicateMatch) -> DuplicateView:
        c = self.live[match.id]
        return DuplicateView(
            id=c.id,
            name=c.name,
            owner_name=self.owners.get(c.owner_id, ""),
            status=c.status,
            status_label=_status_label(c.status),
            reason=match.reason,
            reason_label=str(dict(rules.DuplicateReason.choices)[match.reason]),
            similarity=match.similarity,
        )


@dataclass
class People:
    """The active people ``user`` sees (``org.selectors.people_list``), as cells name them:
    user name, e-mail, display name or full name."""

    ids: dict[str, list[int]]
    units: dict[int, int | None]
    names: dict[int, str]
    usernames: dict[int, str]

    @classmethod
    def load(cls, user: User) -> "People":
        ids: dict[str, list[int]] = {}
        units: dict[int, int | None] = {}
        names: dict[int, str] = {}
        usernames: dict[int, str] = {}
        for person in people_list(user=user).only(
            "pk", "username", "email", "first_name", "last_name", "display_name", "unit_id"
        ):
            units[person.pk], names[person.pk] = person.unit_id, str(person)
            usernames[person.pk] = person.username
            first, last = person.first_name, person.last_name
            for text in {person.username, person.email, person.display_name, str(person),
                         f"{last}{first}", f"{first} {last}", f"{last} {first}"}:  # fmt: skip
                key = choice_key(text)
                if key and person.pk not in ids.setdefault(key, []):
                    ids[key].append(person.pk)
        return cls(ids, units, names, usernames)

    def find(self, text: str) -> list[int]:
        return self.ids.get(choice_key(text), [])


def _status_label(status: str) -> str:
    return str(dict(RegistrationStatus.choices).get(status, status))


def chunks(ids: Sequence[int], size: int = 2000) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@dataclass
class CustomerRef:
    """The customer a contact or evaluation row belongs to."""

    key: str  # "id:<pk>" or "row:<number>"
    customer_id: int | None
    row: Row | None


def resolve_customer(ctx: Context, row: Row, headers: dict[str, str]) -> CustomerRef | None:
    code = row.values.get("customer_code", "")
    text = row.values.get("customer", "")
    if not code and text:
        candidate = rules.normalize_credit_code(text)
        if len(candidate) == 18 and not rules.credit_code_problem(candidate):
            code = candidate
    column = (
        headers.get("customer_code", "")
        if row.values.get("customer_code")
        else headers.get("customer", "")
    )
    target = ctx.by_code.get(code) if code else None
    if target is None and text:
        target = ctx.by_name.get(rules.name_key(text))
    if target is not None and ctx.live[target].visible:
        c = ctx.live[target]
        row.label = c.name
        return CustomerRef(f"id:{target}", target, None)
    file_row = (ctx.file_customers.get(code) if code else None) or (
        ctx.file_customers.get(rules.name_key(text)) if text else None
    )
    if file_row is not None:
        row.label = file_row.values.get("name", text)
        if file_row.action == FAILED:
            row.error(
                _("Its customer (row %(row)s of the sheet “%(sheet)s”) has errors: "
                  "fix that row first.")
                % {"row": file_row.number, "sheet": file_row.sheet or _("customers")},
                column,
            )  # fmt: skip
            return None
        return CustomerRef(f"row:{file_row.number}", None, file_row)
    row.label = text or code
    row.error(
        _("No customer you can see is called or has the code “%(value)s”. Write its full "
          "name as in the system (or its credit code), or add it to the customer sheet.")
        % {"value": text or code},
        column,
    )  # fmt: skip
    return None


def may_edit(ctx: Context, ref: CustomerRef, check: Callable[..., bool]) -> bool:
    if ref.customer_id is None:
        return True  # a customer of this file: the importer will own it
    c = ctx.live[ref.customer_id]
    return check(ctx.caps, c.owner_id, c.owner_unit_id)


def fail_lot(
    rows: list[Row], exc: Exception, headers: dict[str, str], *, default: str = ""
) -> None:
    """A set-based service refused the lot ``rows`` were given to it as: its messages under
    ``<position>.<field>`` go to that row, on the column of that field (``default`` when
    the field has none; ``<field>_id`` is the column ``<field>``); a refusal of the lot as a
    whole goes to every row."""
    if not isinstance(exc, ValidationError) or not hasattr(exc, "error_dict"):
        for row in rows:
            fail(row, exc, headers)
        return
    for key, messages in exc.message_dict.items():
        position, _dot, name = key.partition(".")
        row = rows[int(position) - 1]
        column = headers.get(name.removesuffix("_id"), default) if name else default
        for message in messages:
            row.error(message, column)
        row.action = FAILED


def fail(row: Row, exc: Exception, headers: dict[str, str]) -> None:
    """A service refused the row: its message(s), on the column they are about."""
    row.action = FAILED
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                for message in errors:
                    row.error(message, headers.get(name, ""))
        else:
            for message in exc.messages:
                row.error(message)
    elif isinstance(exc, StaleEditError):
        row.error(exc.message)
    elif isinstance(exc, PermissionDenied):
        row.error(str(exc) or _("You may not do this."))
    else:
        row.error(_("This row could not be saved (%(reason)s).") % {"reason": exc})


def row_customer(
    ref_key: str, created: dict[int, Customer], loaded: dict[int, Customer]
) -> Customer | None:
    kind, _sep, number = ref_key.partition(":")
    if kind == "row":
        return created.get(int(number))
    return loaded.get(int(number))


def load_customers(rows: Iterable[Row]) -> dict[int, Customer]:
    ids = sorted({int(r.customer_ref[3:]) for r in rows if r.customer_ref.startswith("id:")})
    loaded: dict[int, Customer] = {}
    for chunk in chunks(ids):
        for customer in Customer.objects.select_related("owner").filter(pk__in=chunk):
            loaded[customer.pk] = customer
    return loaded

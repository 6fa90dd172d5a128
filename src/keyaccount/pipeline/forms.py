"""Forms of the pipeline's list pages and of creating and editing an opportunity. They parse what
people type; the rules stay in services (who may open, edit or hand over a deal, what a valid
deal is)."""

import calendar
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from keyaccount.core.forms import (
    AmountField,
    ServiceErrorsMixin,
    VersionField,
    empty_choice,
)
from keyaccount.core.i18n import either
from keyaccount.core.parsing import fold
from keyaccount.core.typeahead import PickField, bind_picks
from keyaccount.customers.forms import GRADE_FILTER_CHOICES
from keyaccount.customers.models import Customer
from keyaccount.org.capabilities import SELLING_ROLES, Capabilities
from keyaccount.org.forms import industry_choices, region_choices
from keyaccount.org.models import RoleAssignment, User
from keyaccount.process.models import Stage

from . import rules, selectors, services
from .models import Opportunity

ALL = "all"
STATUS_FILTER_CHOICES = [*rules.Status.choices, (ALL, _("All statuses"))]
#: The major-project list holds open and won deals only: "" is both.
MAJOR_STATUS_CHOICES = [
    ("", _("Open or won")),
    (rules.Status.OPEN, rules.Status.OPEN.label),
    (rules.Status.WON, rules.Status.WON.label),
]
HEALTH_CHOICES = [(h.value, rules.HEALTH_LABELS[h]) for h in rules.Health]
SORT_CHOICES = [(key, key) for key in selectors.SORTS]
#: The owner filter's type-ahead source (``typeahead.py``).
OWNERS = "deal-owners"
#: The create page's customer choice (``typeahead.py``).
NEW_DEAL_CUSTOMERS = "new-deal-customers"
#: Whom a deal may be handed to (``typeahead.py``).
REASSIGN = "reassign"


# --- fields ---------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class MonthField(forms.CharField):
    """A month typed in ``<input type=month>`` (``2026-03``); the first day of that month."""

    default_error_messages = {"invalid": _("Not a month: write it as 2026-03.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = fold(str(super().to_python(value) or ""))
        if not text:
            return None
        match = _MONTH.match(text)
        if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2999:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return date(int(match[1]), int(match[2]), 1)

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%Y-%m") if isinstance(value, date) else value


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


# --- the list's filters ---------------------------------------------------------------------


class OpportunityFilterForm(forms.Form):
    """The GET parameters of the list, the board and the major-project list (shareable URLs).
    A bad value is dropped with a message, never a 500."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, customer or pinyin initials"),
                "autocomplete": "off",
            }
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_FILTER_CHOICES)
    stage = forms.TypedMultipleChoiceField(
        label=_("Stage"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    owner = PickField(label=_("Owner"), required=False, source=OWNERS, placeholder=_("anyone"))
    team = PickField(label=_("Team"), required=False, source="teams", placeholder=_("any"))
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int)
    industry = forms.TypedChoiceField(label=_("Industry"), required=False, coerce=int)
    grade = forms.MultipleChoiceField(
        label=_("Customer grade"),
        required=False,
        choices=GRADE_FILTER_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    customer = PickField(
        label=_("Customer"), required=False, source="customers", placeholder=_("any")
    )
    signing_from = MonthField(label=_("Signing from"))
    signing_to = MonthField(label=_("Signing to"))
    amount_min = AmountField(label=_("Amount from"))
    amount_max = AmountField(label=_("Amount to"))
    health = forms.MultipleChoiceField(
        label=_("Health"),
        required=False,
        choices=HEALTH_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    risk = forms.ChoiceField(
        label=_("Risk"), required=False, choices=[("", _("any")), *rules.RiskLevel.choices]
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    #: The board's compact subset (its cards are open deals, grouped by stage).
    BOARD_FIELDS = ("q", "owner", "team", "signing_from", "signing_to", "health")

    def __init__(self, data: Any, *, user: Any, major: bool = False, board: bool = False) -> None:
        super().__init__(data)
        self.major = major
        if board:
            for name in list(self.fields):
                if name not in self.BOARD_FIELDS:
                    del self.fields[name]
        if "status" in self.fields:
            self.fields["status"].choices = MAJOR_STATUS_CHOICES if major else STATUS_FILTER_CHOICES  # type: ignore[attr-defined]
        if "stage" in self.fields:
            stages = Stage.objects.order_by("order").values_list("pk", "name_zh", "name_en")
            self.fields["stage"].choices = [(pk, either(zh, en)) for pk, zh, en in stages]  # type: ignore[attr-defined]
        bind_picks(self, user)
        if "region" in self.fields:
            self.fields["region"].choices = empty_choice(_("any")) + region_choices()  # type: ignore[attr-defined]
        if "industry" in self.fields:
            self.fields["industry"].choices = empty_choice(_("any")) + industry_choices()  # type: ignore[attr-defined]
        for name, hint in (("amount_min", "0"), ("amount_max", "")):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"placeholder": hint or _("any")})

    def filters(self) -> tuple[selectors.OpportunityFilters, list[str]]:
        """What to filter by, and a message for every value that was ignored."""
        self.is_valid()
        data = self.cleaned_data
        ignored = [
            str(
                _("%(field)s: %(error)s (ignored)")
                % {
                    "field": self.fields[name].label or name,
                    "error": " ".join(str(e) for e in errors),
                }
            )
            for name, errors in self.errors.items()
        ]
        status = data.get("status") or ""
        if not self.major:
            status = "" if status == ALL else (status or rules.Status.OPEN)
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            low, high = high, low
        start, end = data.get("signing_from"), data.get("signing_to")
        if start and end and start > end:
            start, end = end, start
        return (
            selectors.OpportunityFilters(
                q=(data.get("q") or "").strip(),
                status=status,
                stages=list(data.get("stage") or []),
                owner=data.get("owner") or None,
                team=data.get("team") or None,
                region=data.get("region") or None,
                industry=data.get("industry") or None,
                grades=list(data.get("grade") or []),
                customer=data.get("customer") or None,
                signing_from=start,
                signing_to=month_end(end) if end else None,
                amount_min=low,
                amount_max=high,
                health=list(data.get("health") or []),
                risk=data.get("risk") or "",
                sort=data.get("sort") or "signing",
            ),
            ignored,
        )

    @property
    def active_count(self) -> int:
        """How many filters narrow the list (for the phone's collapsed filter bar)."""
        data = getattr(self, "cleaned_data", {})
        names = (
            "q", "stage", "owner", "team", "region", "industry", "grade", "health", "risk",
            "signing_from", "signing_to",
        )  # fmt: skip
        count = sum(1 for n in names if data.get(n))
        count += data.get("status") not in (None, "", rules.Status.OPEN)
        return count + (data.get("amount_min") is not None or data.get("amount_max") is not None)


# --- creating and editing -------------------------------------------------------------------

AMOUNT_HINT = _("In the deal's currency; you may write 12.5万 or 1.2亿.")
CREATE_FIELDS = (
    "name", "amount", "currency", "expected_signing", "products", "source",
    "strategic_fit", "strategic_note",
)  # fmt: skip


def _deal_fields(names: Iterable[str]) -> dict[str, forms.Field]:
    """Form fields for opportunity fields: labels and limits from the model, amounts parsed
    leniently (万, 亿, full-width digits), dates picked from a calendar."""
    names = list(names)
    model_fields = fields_for_model(Opportunity, fields=names)
    out: dict[str, forms.Field] = {}
    for name in names:
        field = model_fields[name]
        if name == "amount":
            field = AmountField(label=field.label, required=True, help_text=AMOUNT_HINT)
        elif name == "expected_signing":
            field = forms.DateField(
                label=field.label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            )
        elif isinstance(field.widget, forms.Textarea):
            field.widget.attrs.update({"rows": 2})
        out[name] = field
    return out


class _DealBase(ServiceErrorsMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.setdefault("autocomplete", "off")
        self.fields["amount"].widget.attrs.setdefault("inputmode", "decimal")

    def deal_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in services.DEAL_FIELDS}


class OpportunityCreateForm(_DealBase):
    """The short form that opens a deal on a customer "in seconds"."""

    customer = PickField(
        label=_("Customer"),
        source=NEW_DEAL_CUSTOMERS,
        placeholder=_("Type a name, pinyin or credit code"),
        error_messages={"required": _("Choose the customer of the opportunity.")},
    )

    def __init__(self, *args: Any, customer: Customer | None, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["customer"]
        if customer is not None:
            field.widget = forms.HiddenInput()
            self.initial.setdefault("customer", customer.pk)
        bind_picks(self, user)
        self.fixed_customer = customer
        self.order_fields(["customer", *CREATE_FIELDS])


for _name, _field in _deal_fields(CREATE_FIELDS).items():
    OpportunityCreateForm.base_fields[_name] = _field

EDIT_FIELDS = services.DEAL_FIELDS


class OpportunityEditForm(_DealBase):
    """Every field the owner keeps, the version it was opened at (no lost update) and why the
    amount, signing date or probability changed (kept with the forecast change)."""

    version = VersionField()
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with changes of the amount, the signing date and the probability."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["probability_override"].widget.attrs.update(
            {"placeholder": _("the stage's"), "inputmode": "numeric"}
        )
        self.fields["probability_override"].help_text = _(
            "Leave empty to use the stage's probability; say why when you set one."
        )
        self.order_fields([*EDIT_FIELDS, "reason", "version"])


for _name, _field in _deal_fields(EDIT_FIELDS).items():
    OpportunityEditForm.base_fields[_name] = _field


# --- handing a deal over ----------------------------------------------------------------------


def reassign_people(caps: Capabilities) -> QuerySet[User]:
    """Active people who sell, inside the units the manager manages (everyone for admins): whom
    a deal may be handed to (``ReassignForm``'s type-ahead)."""
    sellers = RoleAssignment.objects.filter(role__code__in=SELLING_ROLES).values("user_id")
    users = User.objects.filter(is_active=True, pk__in=sellers)
    if not caps.everything:
        users = users.filter(unit_id__in=sorted(caps.managed_unit_ids))
    return users


def reassign_candidates(caps: Capabilities, *, exclude: int | None = None) -> list[User]:
    """``reassign_people`` but ``exclude``, by unit, then by pinyin."""
    users = reassign_people(caps)
    if exclude is not None:
        users = users.exclude(pk=exclude)
    users = users.select_related("unit").only(
        "id", "username", "display_name", "first_name", "last_name", "unit__name"
    )
    return list(users.order_by("unit__name", "pinyin_sort", "id"))


class ReassignForm(ServiceErrorsMixin, forms.Form):
    owner = PickField(
        label=_("Hand the deal to"),
        source=REASSIGN,
        placeholder=_("Type a name or pinyin"),
        error_messages={"required": _("Choose who takes the deal over.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        error_messages={"required": _("Say why the deal changes hands.")},
        widget=forms.TextInput(attrs={"placeholder": _("Why (required)")}),
    )

    def __init__(self, data: Any = None, *, user: Any, current_owner: int, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.current_owner = current_owner
        bind_picks(self, user)

    def clean_owner(self) -> User:
        pk = self.cleaned_data["owner"]
        if pk == self.current_owner:
            raise ValidationError(_("They own the deal already."), code="same_owner")
        return User.objects.get(pk=pk)

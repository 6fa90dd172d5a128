"""Forms of the customer pages. They parse what people type; the rules stay in services.

The KA list's filter form is ``filters.CustomerFilterForm``: the list's one parser, shared with
its exports and the API."""

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from keyaccount.core.forms import (
    AmountField,
    CountField,
    ServiceErrorsMixin,
    VersionField,
    empty_choice,
)
from keyaccount.core.lookup import MAX_ID
from keyaccount.core.schemas import MAX_IDS
from keyaccount.core.typeahead import PickField, bind_picks
from keyaccount.org.forms import industry_choices, region_choices
from keyaccount.org.models import RoleAssignment, User

from . import permissions, services
from .filters import GRADE_FILTER_CHOICES as GRADE_FILTER_CHOICES  # pipeline's filters
from .models import Customer, Evaluation, ScoringFactor
from .rules import MAX_FACTOR_SCORE, Grade

# --- profile and registration ----------------------------------------------------------------

MONEY_FIELDS = ("revenue", "profit", "budget", "actual_spend")
COUNT_FIELDS = ("employees", "technical_staff")

AMOUNT_HINT = _("Amounts in yuan; you may write 12.5万 or 1.2亿.")
#: Grid columns of the profile form's fields on a laptop (full width on a phone).
FIELD_COLUMNS = {
    "name": "col-md-8", "short_name": "col-md-4", "credit_code": "col-md-4",
    "region": "col-md-4", "industry": "col-md-4", "address": "col-md-8", "website": "col-md-4",
    "revenue": "col-md-4", "profit": "col-md-4", "budget": "col-md-4",
    "actual_spend": "col-md-4", "employees": "col-6 col-md-4", "technical_staff": "col-6 col-md-4",
    "incumbent_suppliers": "col-md-6", "notes": "col-md-6",
}  # fmt: skip

PROFILE_GROUPS: list[tuple[Any, tuple[str, ...]]] = [
    (
        _("Identity"),
        ("name", "short_name", "credit_code", "region", "industry", "address", "website"),
    ),
    (_("Size"), (*MONEY_FIELDS, *COUNT_FIELDS)),
    (_("Needs"), ("segment_trend", "sourcing_policy", "solution_importance")),
    (
        _("Key-account specifics"),
        (
            "supplier_attitude",
            "key_buying_factors",
            "key_decision_makers",
            "solution_familiarity",
            "demand_characteristics",
        ),
    ),
    (_("Suppliers and notes"), ("incumbent_suppliers", "notes")),
]


def _profile_fields(names: Iterable[str]) -> dict[str, forms.Field]:
    """Form fields for customer profile fields: labels and limits from the model, amounts and
    head counts parsed leniently, long text in small text areas."""
    names = list(names)
    model_fields = fields_for_model(Customer, fields=names)
    out: dict[str, forms.Field] = {}
    for name in names:
        field = model_fields[name]
        if name in MONEY_FIELDS:
            field = AmountField(label=field.label)
        elif name in COUNT_FIELDS:
            field = CountField(label=field.label)
        elif isinstance(field.widget, forms.Textarea):
            field.widget.attrs.update({"rows": 3})
        out[name] = field
    return out


class _ProfileBase(ServiceErrorsMixin, forms.Form):
    """Shared by the edit and registration forms: the region and industry trees."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "region" in self.fields:
            self.fields["region"].choices = empty_choice() + region_choices()  # type: ignore[attr-defined]
        if "industry" in self.fields:
            self.fields["industry"].choices = empty_choice() + industry_choices()  # type: ignore[attr-defined]
        if "name" in self.fields:
            self.fields["name"].widget.attrs.setdefault("autocomplete", "off")

    def profile_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in services.PROFILE_FIELDS}

    def groups(self) -> Iterator[dict[str, Any]]:
        """The form's fields by section of the profile, each with its grid column."""
        for label, names in PROFILE_GROUPS:
            fields = [(self[n], FIELD_COLUMNS.get(n, "")) for n in names if n in self.fields]
            if fields:
                hint = AMOUNT_HINT if any(n in MONEY_FIELDS for n in names) else ""
                yield {"label": label, "fields": fields, "hint": hint, "names": names}


ProfileForm = type(
    "ProfileForm",
    (_ProfileBase,),
    {
        **_profile_fields(services.PROFILE_FIELDS),
        "version": VersionField(),
        "__module__": __name__,
        "__doc__": "The customer profile form (客户档案表); carries the version it was opened at.",
    },
)

REGISTRATION_FIELDS = (
    "name", "short_name", "credit_code", "region", "industry", "address", "website",
    "revenue", "employees", "technical_staff",
)  # fmt: skip

RegistrationForm = type(
    "RegistrationForm",
    (_ProfileBase,),
    {
        **_profile_fields(REGISTRATION_FIELDS),
        "confirm_not_duplicate": forms.BooleanField(
            label=_("I confirm this is a different company"), required=False
        ),
        "duplicates_seen": forms.BooleanField(required=False, widget=forms.HiddenInput),
        "__module__": __name__,
        "__doc__": "A KAM's request to register a customer (客户备案登记).",
    },
)


class DuplicateCheckForm(forms.Form):
    name = forms.CharField(required=False, max_length=120)
    credit_code = forms.CharField(required=False, max_length=40)


# --- registration decisions ------------------------------------------------------------------


class DecideForm(ServiceErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("Reason (required to reject)")}),
    )

    @property
    def approve(self) -> bool:
        return bool(self.cleaned_data["decision"] == "approve")


class BulkDecideForm(DecideForm):
    """Many pending requests decided at once, one reason for a rejection batch."""

    requests = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={"required": _("Tick the requests to decide.")},
    )

    def __init__(self, *args: Any, pending_ids: Sequence[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["requests"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(str(pk), str(pk)) for pk in pending_ids]
        field.error_messages["invalid_choice"] = _(
            "A ticked request is no longer waiting: it was decided meanwhile. Reload the page."
        )


# --- allocation ------------------------------------------------------------------------------


def allocatable_people(caps: permissions.Capabilities) -> QuerySet[User]:
    """Active people who sell, inside the departments this head covers (everyone for admins):
    whom customers may be allocated to (``AllocateForm``'s type-ahead)."""
    sellers = RoleAssignment.objects.filter(role__code__in=permissions.SELLING_ROLES)
    users = User.objects.filter(is_active=True, pk__in=sellers.values("user_id"))
    if not caps.everything:
        users = users.filter(unit_id__in=sorted(caps.head_unit_ids))
    return users


def allocatable_users(caps: permissions.Capabilities) -> list[User]:
    """``allocatable_people``, by unit, then by pinyin."""
    users = allocatable_people(caps).select_related("unit")
    users = users.only("id", "username", "display_name", "first_name", "last_name", "unit__name")
    return list(users.order_by("unit__name", "pinyin_sort", "id"))


class IdListField(forms.Field):
    """Record ids sent as repeated parameters (ticked checkboxes): each from 1 to ``MAX_ID``
    (no other can exist), at most ``MAX_IDS`` of them (the API's bound too)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": _("Not a list of record ids."),
        "too_many": _("At most %(limit)s records at a time."),
    }

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        if len(values) > MAX_IDS:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": MAX_IDS}
            )
        try:
            ids = {int(v) for v in values}
        except (TypeError, ValueError) as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if not all(1 <= i <= MAX_ID for i in ids):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted(ids)


class AllocateForm(ServiceErrorsMixin, forms.Form):
    customers = IdListField(
        label=_("Customers"), error_messages={"required": _("Tick the customers to allocate.")}
    )
    new_owner = PickField(
        label=_("Allocate to"), source="allocatable", placeholder=_("Type a name or pinyin")
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("Why (required)")}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        bind_picks(self, user)

    def clean_new_owner(self) -> User:
        return User.objects.get(pk=self.cleaned_data["new_owner"])

    def customer_ids(self) -> list[int]:
        """The ticked customers, read before the rest so access is checked first."""
        try:
            data: Any = self.data
            ids: list[int] = self.fields["customers"].clean(data.getlist("customers"))
        except ValidationError:
            return []
        return ids


def allocation_query_ids(values: list[str]) -> list[int]:
    """The customers a visit of the allocation page names: ``?customers=1,2`` (or the
    parameter repeated, as a form sends it). A ``ValidationError`` if they are not record ids."""
    parts = [part.strip() for value in values for part in value.split(",") if part.strip()]
    ids: list[int] = IdListField(required=False).clean(parts)
    return ids


# --- scorecard, grade, evaluation ------------------------------------------------------------

SCORE_CHOICES = [("", "—"), *[(str(i), str(i)) for i in range(MAX_FACTOR_SCORE + 1)]]


class ScorecardForm(forms.Form):
    """One 0–5 select and one justification per active factor (``score_<code>``,
    ``why_<code>``). Only scored factors are sent to the service."""

    def __init__(self, *args: Any, factors: list[ScoringFactor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.factors = factors
        for f in factors:
            self.fields[f"score_{f.code}"] = forms.TypedChoiceField(
                label=f.name, required=False, choices=SCORE_CHOICES, coerce=int, empty_value=None
            )
            self.fields[f"why_{f.code}"] = forms.CharField(
                label=_("Justification"), required=False, max_length=300
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for f in self.factors:
            if data.get(f"why_{f.code}") and data.get(f"score_{f.code}") is None:
                self.add_error(f"score_{f.code}", _("Choose a score for this justification."))
        return data

    def scores(self) -> dict[str, tuple[int, str]]:
        return {
            f.code: (self.cleaned_data[f"score_{f.code}"], self.cleaned_data[f"why_{f.code}"])
            for f in self.factors
            if self.cleaned_data.get(f"score_{f.code}") is not None
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for code, errors in exc.message_dict.items():
            field = f"why_{code}"
            self.add_error(field if field in self.fields else None, errors)

    def rows(self, current: dict[int, Any]) -> list[dict[str, Any]]:
        """Per factor: the factor, its two bound fields, errors and the saved score row."""
        return [
            {
                "factor": f,
                "score": self[f"score_{f.code}"],
                "why": self[f"why_{f.code}"],
                "errors": [*self[f"score_{f.code}"].errors, *self[f"why_{f.code}"].errors],
                "saved": current.get(f.pk),
            }
            for f in self.factors
        ]


class GradeForm(ServiceErrorsMixin, forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=empty_choice() + list(Grade.choices))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EvaluationForm(ServiceErrorsMixin, forms.ModelForm[Evaluation]):
    """The comprehensive customer evaluation (客户综合评估表); the service validates it."""

    class Meta:
        model = Evaluation
        fields = ("evaluated_on", *Evaluation.DIMENSIONS, "summary", "next_steps")
        widgets = {
            "evaluated_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in Evaluation.DIMENSIONS:
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label,
                choices=empty_choice() + [(i, str(i)) for i in range(1, 6)],
                coerce=int,
            )

    def _post_clean(self) -> None:
        """Model validation is the service's job (it sets the customer and the author)."""

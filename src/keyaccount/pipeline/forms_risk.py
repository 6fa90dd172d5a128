"""Forms of the power map and the risk assessment: they parse what people type; the rules
(what a valid score, role or decision is) stay in ``services``."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from keyaccount.contacts.models import Contact
from keyaccount.core.forms import ServiceErrorsMixin

from . import rules, services
from .models import Opportunity, RiskFactor

SCORES = [(str(i), str(i)) for i in range(rules.RISK_MAX_SCORE + 1)]


def _empty(label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label)]


def _percent_safe(text: str) -> str:
    """Django fills ``%(value)s`` into choice errors: a ``%`` in a name must stay literal."""
    return text.replace("%", "%%")


def _text(rows: int = 2, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


# --- buying roles (the power map) ----------------------------------------------------------


class ContactChoiceField(forms.ModelChoiceField[Contact]):
    def label_from_instance(self, obj: Any) -> str:
        text = str(obj)
        return text if obj.is_active else f"{text} · {_('no longer there')}"


class BuyingRoleForm(ServiceErrorsMixin, forms.Form):
    """A contact's part in the deal: only the contacts of the deal's customer can be chosen."""

    contact = ContactChoiceField(label=_("Contact"), queryset=Contact.objects.none())
    role = forms.ChoiceField(
        label=_("Buying role"),
        choices=_empty() + list(rules.BuyingRole.choices),
        error_messages={"required": _("Choose the contact's buying role.")},
    )
    influence = forms.ChoiceField(
        label=_("Influence"),
        choices=_empty() + list(rules.Influence.choices),
        error_messages={"required": _("Choose how much influence the contact has.")},
    )
    attitude = forms.ChoiceField(
        label=_("Attitude to us"),
        required=False,
        choices=list(rules.Attitude.choices),
        initial=rules.Attitude.UNKNOWN,
    )
    personal_motives = _text(label=_("Personal motives"))
    organisational_goals = _text(label=_("Organisational goals"))
    notes = _text(label=_("Notes"))
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        field = self.fields["contact"]
        field.queryset = Contact.objects.filter(  # type: ignore[attr-defined]
            customer_id=opportunity.customer_id
        ).order_by("-is_active", "pinyin_sort", "id")
        field.empty_label = _("choose a contact")  # type: ignore[attr-defined]
        field.error_messages["invalid_choice"] = _(
            "Choose one of the contacts of %(customer)s."
        ) % {"customer": _percent_safe(opportunity.customer.name)}
        field.error_messages["required"] = _("Choose the contact.")

    def role_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name, "") for name in services.BUYING_FIELDS}


# --- the risk assessment form (风险评估表) --------------------------------------------------


class RiskAssessmentForm(ServiceErrorsMixin, forms.Form):
    """A 0–5 score (``score_<code>``) and a note (``note_<code>``) per active factor. A factor
    left unscored is not sent: the service names every factor that misses its score."""

    assessed_on = forms.DateField(
        label=_("Assessed on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date of the assessment.")},
    )
    summary = _text(rows=3, label=_("Summary"))

    def __init__(self, *args: Any, factors: list[RiskFactor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.factors = factors
        for f in factors:
            self.fields[f"score_{f.code}"] = forms.TypedChoiceField(
                label=f.name,
                required=False,
                choices=SCORES,
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": _("“%(factor)s”: choose a score from 0 to 5.")
                    % {"factor": _percent_safe(f.name)}
                },
            )
            self.fields[f"note_{f.code}"] = forms.CharField(
                label=_("Note"), required=False, max_length=300
            )

    def scale_ends(self) -> tuple[str, str]:
        """The scale's two ends as the form labels them: ``0 = no risk`` … ``5 = severe risk``.
        (The default questions are phrased as risks, so a high score always means danger.)"""
        return (
            _("%(score)s = no risk") % {"score": 0},
            _("%(score)s = severe risk") % {"score": rules.RISK_MAX_SCORE},
        )

    def scores(self) -> dict[str, services.ScoreInput]:
        return {
            f.code: services.ScoreInput(
                self.cleaned_data[f"score_{f.code}"], self.cleaned_data.get(f"note_{f.code}", "")
            )
            for f in self.factors
            if self.cleaned_data.get(f"score_{f.code}") is not None
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service keys its errors by factor code: each goes to that factor's score."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, errors in exc.message_dict.items():
            if f"score_{key}" in self.fields:
                self.add_error(f"score_{key}", errors)
            else:
                self.add_error(key if key in self.fields else None, errors)

    def rows(self) -> list[dict[str, Any]]:
        """Per factor: the factor, its score and note fields, and their errors."""
        return [
            {
                "factor": f,
                "score": self[f"score_{f.code}"],
                "note": self[f"note_{f.code}"],
                "errors": [*self[f"score_{f.code}"].errors, *self[f"note_{f.code}"].errors],
            }
            for f in self.factors
        ]


class RiskDecideForm(ServiceErrorsMixin, forms.Form):
    """A sales director's decision on a high-risk deal."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (rules.RiskDecision.CONTINUE, _("Continue the opportunity")),
            (rules.RiskDecision.ABANDON, _("Abandon the opportunity")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose continue or abandon.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the decision.")},
    )

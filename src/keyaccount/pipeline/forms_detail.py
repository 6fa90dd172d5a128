"""Forms of the opportunity page and its actions. They parse what people type; the gate, the
outcomes and every other rule stay in ``rules`` and ``services``, whose messages the forms show
(``ServiceErrorsMixin``)."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keyaccount.core.forms import AmountField, ServiceErrorsMixin, VersionField
from keyaccount.org.models import User
from keyaccount.process.models import Stage

from . import rules, services
from .models import Competitor, LossReason

#: How many first payment milestones the "won" form offers (more are added on the contract tab).
WIN_MILESTONE_ROWS = 3


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label: Any, *, rows: int = 2, max_length: int = 2000, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, **attrs}),
    )


def _reason(placeholder: Any = "") -> forms.CharField:
    attrs = {"placeholder": placeholder} if placeholder else {}
    return _text(_("Reason"), rows=3, **attrs)


# --- the gate and the outcomes --------------------------------------------------------------


class MoveForm(ServiceErrorsMixin, forms.Form):
    """Request the next step or stage; a sales director may override a closed gate."""

    override = forms.BooleanField(label=_("Override the gate"), required=False)
    reason = _reason(_("Why the gate is overridden (required for an override)"))


class BackForm(ServiceErrorsMixin, forms.Form):
    """Move back to an earlier stage; the gate asks for the reason."""

    to_stage = forms.ModelChoiceField(
        label=_("Move back to"),
        queryset=Stage.objects.order_by("order"),
        required=False,
    )
    reason = _reason(_("Why the deal moves back (required)"))

    def __init__(self, *args: Any, earlier: list[Stage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_stage"]
        # Only earlier stages are offered; any other one posted is refused by the gate.
        field.choices = [("", "—"), *[(s.pk, f"{s.order}. {s.name}") for s in earlier]]  # type: ignore[attr-defined]


class ReasonForm(ServiceErrorsMixin, forms.Form):
    """Abandon (放弃) or reopen a deal: only a reason."""

    reason = _reason()


class LoseForm(ServiceErrorsMixin, forms.Form):
    loss_reason = forms.ModelChoiceField(
        label=_("Why it was lost"),
        queryset=LossReason.objects.filter(is_active=True).order_by("order", "code"),
        required=False,
    )
    winner = forms.ModelChoiceField(
        label=_("Winner"),
        queryset=Competitor.objects.filter(is_active=True).order_by("pinyin_sort", "id"),
        required=False,
        empty_label=_("unknown"),
    )
    lessons = _text(_("Lessons learned"), rows=4)


class WinForm(ServiceErrorsMixin, forms.Form):
    """The contract is signed: number, signed amount, date and the first payment milestones.
    A sales director may override a closed negotiation gate with a reason."""

    contract_number = forms.CharField(label=_("Contract number"), required=False, max_length=60)
    signed_amount = AmountField(label=_("Signed amount"))
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=_date_widget())
    override = forms.BooleanField(label=_("Override the gate"), required=False)
    reason = _reason(_("Why the gate is overridden (required for an override)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, WIN_MILESTONE_ROWS + 1):
            self.fields[f"ms{i}_name"] = forms.CharField(
                label=_("Milestone"), required=False, max_length=120
            )
            self.fields[f"ms{i}_due"] = forms.DateField(
                label=_("Due date"), required=False, widget=_date_widget()
            )
            self.fields[f"ms{i}_amount"] = AmountField(label=_("Amount"))
            self.fields[f"ms{i}_percentage"] = forms.DecimalField(
                label=_("or percentage of the contract"),
                required=False,
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
            )

    def milestone_rows(self) -> list[dict[str, forms.BoundField]]:
        return [
            {
                "number": i,  # type: ignore[dict-item]
                "name": self[f"ms{i}_name"],
                "due": self[f"ms{i}_due"],
                "amount": self[f"ms{i}_amount"],
                "percentage": self[f"ms{i}_percentage"],
            }
            for i in range(1, WIN_MILESTONE_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(1, WIN_MILESTONE_ROWS + 1):
            keys = [f"ms{i}_name", f"ms{i}_due", f"ms{i}_amount", f"ms{i}_percentage"]
            if not any(data.get(k) not in (None, "") for k in keys):
                continue
            if data.get(f"ms{i}_due") is None and f"ms{i}_due" not in self.errors:
                self.add_error(f"ms{i}_due", _("Give the due date of this milestone."))
            if data.get(f"ms{i}_amount") is not None and data.get(f"ms{i}_percentage") is not None:
                self.add_error(f"ms{i}_percentage", _("Give an amount or a percentage, not both."))
        return data

    def milestones(self) -> list[services.MilestoneInput]:
        """The filled milestone rows, in order (the service checks names and amounts)."""
        out = []
        for i in range(1, WIN_MILESTONE_ROWS + 1):
            due: date | None = self.cleaned_data.get(f"ms{i}_due")
            if due is None:
                continue
            out.append(
                services.MilestoneInput(
                    name=self.cleaned_data.get(f"ms{i}_name") or "",
                    due_on=due,
                    amount=self.cleaned_data.get(f"ms{i}_amount"),
                    percentage=self.cleaned_data.get(f"ms{i}_percentage"),
                )
            )
        return out


# --- checklist, elements, competitors, team, follow-ups -------------------------------------


class CheckForm(forms.Form):
    """Check (or uncheck) an exit criterion, with an optional note."""

    checked = forms.BooleanField(label=_("Done"), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("Note (optional)")}),
    )


class ElementForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=rules.Knowledge.choices)
    notes = _text(_("Notes"), rows=2)


class CompetitorForm(ServiceErrorsMixin, forms.Form):
    """A competitor present on the deal: from the catalogue, or a new name for the catalogue."""

    competitor = forms.ModelChoiceField(
        label=_("Competitor"),
        queryset=Competitor.objects.filter(is_active=True).order_by("pinyin_sort", "id"),
        required=False,
        empty_label=_("choose from the catalogue"),
    )
    new_name = forms.CharField(
        label=_("or a new competitor"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("Company name"), "autocomplete": "off"}),
    )
    strength = forms.ChoiceField(
        label=_("Strength vs us"), choices=[("", "—"), *rules.Strength.choices]
    )
    their_strategy = _text(_("Their likely strategy"))
    our_strategy = _text(_("Our strategy against them"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = " ".join((data.get("new_name") or "").split())
        data["new_name"] = name
        if data.get("competitor") is None and not name:
            self.add_error(
                "competitor", _("Choose a competitor from the catalogue or type a new name.")
            )
        elif data.get("competitor") is not None and name:
            self.add_error("new_name", _("Choose from the catalogue or type a new name, not both."))
        return data


class MemberForm(ServiceErrorsMixin, forms.Form):
    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=User.objects.filter(is_active=True),
        empty_label=_("choose a person"),
    )
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *rules.TeamRole.choices])
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [  # type: ignore[attr-defined]
            ("", _("choose a person")),
            *[(u.pk, f"{u}（{u.unit}）" if u.unit else str(u)) for u in candidates],
        ]


class FollowUpForm(ServiceErrorsMixin, forms.Form):
    """An entry of the KA follow-up form (大客户跟进表)."""

    on = forms.DateField(label=_("Date"), widget=_date_widget())
    progress = _text(_("Progress"), rows=3)
    next_steps = _text(_("Next steps"))
    support_needed = _text(_("Support needed"))


# --- payment milestones ---------------------------------------------------------------------


class MilestoneAddForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Milestone"), required=False, max_length=120)
    due_on = forms.DateField(label=_("Due date"), widget=_date_widget())
    amount = AmountField(label=_("Amount"))
    percentage = forms.DecimalField(
        label=_("or percentage of the contract"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("amount") is not None and data.get("percentage") is not None:
            self.add_error("percentage", _("Give an amount or a percentage, not both."))
        return data

    def milestone(self) -> services.MilestoneInput:
        d = self.cleaned_data
        return services.MilestoneInput(
            name=d.get("name") or "",
            due_on=d["due_on"],
            amount=d.get("amount"),
            percentage=d.get("percentage"),
        )


class MilestoneEditForm(ServiceErrorsMixin, forms.Form):
    """Acceptance, invoicing and collection of a milestone; carries the version it was opened
    at, so a save after someone else's is refused (no lost update)."""

    name = forms.CharField(label=_("Milestone"), required=False, max_length=120)
    due_on = forms.DateField(label=_("Due date"), widget=_date_widget())
    accepted_on = forms.DateField(label=_("Acceptance date"), required=False, widget=_date_widget())
    invoiced_on = forms.DateField(label=_("Invoiced on"), required=False, widget=_date_widget())
    invoiced_amount = AmountField(label=_("Invoiced amount"))
    collected_on = forms.DateField(label=_("Collected on"), required=False, widget=_date_widget())
    collected_amount = AmountField(label=_("Collected amount"))
    version = VersionField()

    def data_for_service(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in services.MILESTONE_FIELDS}


def milestone_initial(m: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {f: getattr(m, f) for f in services.MILESTONE_FIELDS}
    initial["version"] = m.version
    return initial

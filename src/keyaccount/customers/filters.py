"""The KA list's filters: one definition for the list page, its exports and the API.

``CustomerFilters`` is what ``selectors.customer_list`` filters by. ``parse_filters`` reads it
from a query string, the way the list page always has: a value that cannot be used (malformed,
out of range, or not among the choices the user is offered) is dropped with a message naming
the filter, and a reversed score range is turned round. The choices are the user's
(``selectors.filter_choices``); this module reads nothing itself.

- the list page shows the form and the messages (``CustomerFilterForm``);
- an export started from the page drops the same values and so lists the same customers;
- the API refuses them instead (``api_filters``: 422 naming the parameter, with the page's
  message), so it never answers a wider list than it was asked for; for any query string it
  accepts, its filters are the page's.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from keyaccount.core.forms import empty_choice
from keyaccount.core.typeahead import PickField, bind_picks

from .models import RegistrationStatus
from .rules import Grade

MAX_SEARCH = 100  # characters of the text search
SCORE_RANGE = (0, 100)
NOT_GRADED = "none"
#: The orders of the list (``selectors.SORTS`` says how each sorts); ``-`` is descending.
SORT_KEYS = (
    "name", "-name", "grade", "-grade", "score", "-score", "updated", "-updated", "revenue",
    "-revenue",
)  # fmt: skip
DEFAULT_SORT = "name"

#: The owner filter's type-ahead source (``typeahead.py``).
OWNERS = "customer-owners"
GRADE_FILTER_CHOICES = [*Grade.choices, (NOT_GRADED, _("not graded"))]
SORT_CHOICES = [(key, key) for key in SORT_KEYS]


@dataclass
class CustomerFilters:
    q: str = ""
    grades: list[str] = field(default_factory=list)  # ``Grade`` values and ``NOT_GRADED``
    region: int | None = None
    industry: int | None = None
    owner: int | None = None
    team: int | None = None
    status: str = ""
    score_min: Decimal | None = None
    score_max: Decimal | None = None
    sort: str = DEFAULT_SORT


Choices = list[tuple[int, str]]


class FilterChoices:
    """What the user may pick: the owners of the customers they can see and the org units they
    can see (type-ahead pickers, checked against ``user``: ``core.typeahead``), the active
    regions and industries (as indented trees, as (id, label)).

    Each list is loaded the first time it is needed, and once: the page renders them all, while
    an export or the API checks only the filters its query string sets."""

    def __init__(
        self,
        *,
        user: Any = None,
        regions: Callable[[], Choices] = list,
        industries: Callable[[], Choices] = list,
    ) -> None:
        self.user = user
        self._loaders = {"region": regions, "industry": industries}
        self._loaded: dict[str, Choices] = {}

    def of(self, name: str) -> Choices:
        """The choices of the filter ``name`` (``region``, ``industry``)."""
        if name not in self._loaded:
            self._loaded[name] = list(self._loaders[name]())
        return self._loaded[name]


class CustomerFilterForm(forms.Form):
    """The KA list's GET parameters. A bad value is dropped with a message, never a 500."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_SEARCH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, short name, pinyin initials or credit code"),
                "autocomplete": "off",
            }
        ),
    )
    grade = forms.MultipleChoiceField(
        label=_("Grade"),
        required=False,
        choices=GRADE_FILTER_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int)
    industry = forms.TypedChoiceField(label=_("Industry"), required=False, coerce=int)
    owner = PickField(label=_("Owner"), required=False, source=OWNERS, placeholder=_("anyone"))
    team = PickField(label=_("Team"), required=False, source="teams", placeholder=_("any"))
    status = forms.ChoiceField(
        label=_("Registration"),
        required=False,
        choices=[("", _("any")), *RegistrationStatus.choices],
    )
    score_min = forms.DecimalField(
        label=_("Score from"),
        required=False,
        min_value=SCORE_RANGE[0],
        max_value=SCORE_RANGE[1],
        decimal_places=1,
    )
    score_max = forms.DecimalField(
        label=_("Score to"),
        required=False,
        min_value=SCORE_RANGE[0],
        max_value=SCORE_RANGE[1],
        decimal_places=1,
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, data: Any, *, choices: FilterChoices) -> None:
        super().__init__(data)
        bind_picks(self, choices.user)
        for name, label in (("region", _("any")), ("industry", _("any"))):
            # A callable: Django asks for the choices only to render or check a value.
            self.fields[name].choices = partial(_offered, choices, name, label)  # type: ignore[attr-defined]
        for name, hint in (("score_min", "0"), ("score_max", "100")):
            self.fields[name].widget.attrs.update({"placeholder": hint, "step": "1"})

    def filters(self) -> tuple[CustomerFilters, list[str]]:
        """What to filter by, and a message for every value that was ignored."""
        self.is_valid()
        data = self.cleaned_data
        ignored = [
            str(
                _("%(field)s: %(error)s (ignored)")
                % {"field": self.fields[name].label, "error": " ".join(str(e) for e in errors)}
            )
            for name, errors in self.errors.items()
        ]
        score_min, score_max = data.get("score_min"), data.get("score_max")
        if score_min is not None and score_max is not None and score_min > score_max:
            score_min, score_max = score_max, score_min
        return (
            CustomerFilters(
                q=(data.get("q") or "").strip(),
                grades=list(data.get("grade") or []),
                region=data.get("region") or None,
                industry=data.get("industry") or None,
                owner=data.get("owner") or None,
                team=data.get("team") or None,
                status=data.get("status") or "",
                score_min=score_min,
                score_max=score_max,
                sort=data.get("sort") or DEFAULT_SORT,
            ),
            ignored,
        )

    @property
    def active_count(self) -> int:
        """How many filters narrow the list (for the phone's collapsed filter bar)."""
        data = getattr(self, "cleaned_data", {})
        names = ("q", "grade", "region", "industry", "owner", "team", "status")
        count = sum(1 for n in names if data.get(n))
        return count + (data.get("score_min") is not None or data.get("score_max") is not None)


def _offered(choices: FilterChoices, name: str, label: Any) -> list[tuple[Any, Any]]:
    return [*empty_choice(label), *choices.of(name)]


class ParsedFilters(NamedTuple):
    filters: CustomerFilters
    ignored: list[str]  # a message for each value dropped, as the page shows it
    errors: dict[str, list[str]]  # the same, by parameter
    form: CustomerFilterForm


def parse_filters(query: Any, choices: FilterChoices) -> ParsedFilters:
    """The filters of a query string (a ``QueryDict``), leniently: see the module's docstring."""
    form = CustomerFilterForm(query, choices=choices)
    filters, ignored = form.filters()
    errors = {name: [str(e) for e in messages] for name, messages in form.errors.items()}
    return ParsedFilters(filters, ignored, errors, form)


def api_filters(query: Any, choices: FilterChoices) -> CustomerFilters:
    """The page's filters of the same query string; ``ValidationError`` (the API's 422) naming
    each parameter the page would have dropped, instead of a wider list."""
    parsed = parse_filters(query, choices)
    if parsed.errors:
        raise ValidationError(parsed.errors)
    return parsed.filters

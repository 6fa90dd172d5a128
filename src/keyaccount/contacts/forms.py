"""The contact form. Mobile numbers and reporting lines are checked by the service."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from keyaccount.core.forms import ServiceErrorsMixin, VersionField

from .models import Contact

FIELDS = (
    "name", "title", "department", "mobile", "phone", "email", "wechat", "reports_to", "notes",
    "is_active",
)  # fmt: skip


class ContactForm(ServiceErrorsMixin, forms.ModelForm[Contact]):
    """``reports_to`` offers only the same customer's other contacts; on edit the form carries
    the ``version`` it was opened at."""

    version = VersionField(required=False)

    class Meta:
        model = Contact
        fields = FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, colleagues: QuerySet[Contact], editing: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["reports_to"].queryset = colleagues  # type: ignore[attr-defined]
        self.fields["version"].required = editing
        if not editing:
            del self.fields["version"]
            del self.fields["is_active"]

    def _post_clean(self) -> None:
        """Model validation and saving are the service's job."""

    def data_for_service(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in FIELDS}

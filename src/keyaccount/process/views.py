from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import FormCode
from .selectors import playbook_stages


@login_required
@require_GET
def playbook(request: HttpRequest) -> HttpResponse:
    """The sales process: six stages, their steps, exit criteria and reporting duties."""
    stages = list(playbook_stages())
    chart = {
        "stages": [s.name for s in stages],
        "probability": [s.probability for s in stages],
        "norm_days": [s.norm_days for s in stages],
    }
    return render(
        request,
        "process/playbook.html",
        {"stages": stages, "chart": chart, "form_labels": dict(FormCode.choices)},
    )

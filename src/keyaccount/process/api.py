from ninja import Router, Schema

from keyaccount.core.lookup import get_or_404
from keyaccount.org.requests import AuthenticatedRequest

from .models import FormCode, Stage
from .selectors import playbook_stages

router = Router(tags=["sales process"])


class CriterionOut(Schema):
    id: int
    text: str
    text_zh: str
    text_en: str
    mandatory: bool
    step_code: str | None


class StepOut(Schema):
    id: int
    code: str
    number: str
    name: str
    name_zh: str
    name_en: str
    objective: str
    activities: list[str]
    results: list[str]
    reports: list[str]
    roles: list[str]


class RequiredFormOut(Schema):
    code: str
    name: str


class StageOut(Schema):
    id: int
    code: str
    order: int
    name: str
    name_zh: str
    name_en: str
    probability: int
    norm_days: int
    objective: str
    activities: list[str]
    results: list[str]
    reports: list[str]
    roles: list[str]
    required_forms: list[RequiredFormOut]
    criteria: list[CriterionOut]
    steps: list[StepOut]


def _stage_out(stage: Stage) -> StageOut:
    labels = dict(FormCode.choices)
    return StageOut(
        id=stage.pk,
        code=stage.code,
        order=stage.order,
        name=stage.name,
        name_zh=stage.name_zh,
        name_en=stage.name_en,
        probability=stage.probability,
        norm_days=stage.norm_days,
        objective=stage.objective,
        activities=stage.activity_list,
        results=stage.result_list,
        reports=stage.report_list,
        roles=[r.code for r in stage.roles.all()],
        required_forms=[
            RequiredFormOut(code=f.form, name=str(labels.get(f.form, f.form)))
            for f in stage.required_forms.all()
        ],
        criteria=[
            CriterionOut(
                id=c.pk,
                text=c.text,
                text_zh=c.text_zh,
                text_en=c.text_en,
                mandatory=c.mandatory,
                step_code=c.step.code if c.step else None,
            )
            for c in stage.criteria.all()
        ],
        steps=[
            StepOut(
                id=s.pk,
                code=s.code,
                number=f"{stage.order}.{s.order}",
                name=s.name,
                name_zh=s.name_zh,
                name_en=s.name_en,
                objective=s.objective,
                activities=s.activity_list,
                results=s.result_list,
                reports=s.report_list,
                roles=[r.code for r in s.roles.all()],
            )
            for s in stage.steps.all()
        ],
    )


@router.get("/stages", response=list[StageOut], summary="The playbook: stages in order")
def stage_list(request: AuthenticatedRequest) -> list[StageOut]:
    return [_stage_out(s) for s in playbook_stages()]


@router.get("/stages/{code}", response=StageOut, summary="One stage of the playbook")
def stage_detail(request: AuthenticatedRequest, code: str) -> StageOut:
    return _stage_out(get_or_404(playbook_stages(), code=code))

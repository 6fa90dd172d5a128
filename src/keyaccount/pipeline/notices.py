"""What the pipeline tells people (``org.notifications``) and the events it writes into
history (``core.events``): registered once, from ``PipelineConfig.ready``."""

from django.utils.translation import gettext_lazy as _

from keyaccount.core import events
from keyaccount.org.notifications import NoticeGroup, NoticeKind, register_group, register_kind

from .rules import RiskDecision, RiskLevel

RISK_DECISION = "pipeline.risk_decision"
RISK_DECIDED = "pipeline.risk_decided"

RISK_DECISION_REQUESTED = "pipeline.risk_decision_requested"
RISK_CONTINUED = "pipeline.risk_continued"
RISK_ABANDONED = "pipeline.risk_abandoned"

EVENT_CONTRACT_SIGNED = "contract_signed"
EVENT_RISK_ASSESSED = "risk_assessed"
EVENT_DEAL_IMPORTED = "deal_imported"


def _level(code: str) -> str:
    return str(dict(RiskLevel.choices).get(code, code))


def _decision(code: str) -> str:
    return str(dict(RiskDecision.choices).get(code, code))


def register() -> None:
    register_group(
        NoticeGroup(RISK_DECISION, _("A high-risk deal awaits my decision (sales director)"), 30)
    )
    register_group(NoticeGroup(RISK_DECIDED, _("A risk decision is made on my deal"), 40))
    register_kind(
        NoticeKind(
            RISK_DECISION_REQUESTED,
            RISK_DECISION,
            _(
                "%(actor)s assessed “%(deal)s” (%(customer)s) as high risk (%(total)s%%): "
                "decide whether to continue or abandon it."
            ),
        )
    )
    register_kind(
        NoticeKind(
            RISK_CONTINUED,
            RISK_DECIDED,
            _("%(actor)s decided to continue “%(deal)s” despite the high risk: %(reason)s"),
        )
    )
    register_kind(
        NoticeKind(
            RISK_ABANDONED,
            RISK_DECIDED,
            _("%(actor)s decided to abandon “%(deal)s” for its high risk: %(reason)s"),
        )
    )
    events.register(EVENT_CONTRACT_SIGNED, _("Contract %(number)s signed"))
    events.register(
        EVENT_DEAL_IMPORTED,
        _("Imported from %(source)s at the stage and status it gives; the gates were not run."),
    )
    events.register(EVENT_RISK_ASSESSED, _("Risk assessed: %(level)s"), level=_level)
    events.register("risk_decided", _("Risk decision: %(decision)s"), decision=_decision)

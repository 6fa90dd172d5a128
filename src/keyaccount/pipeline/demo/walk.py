"""One demo deal walked from its creation through the gates: elements learned, follow-ups,
the power map, risk assessments and decisions, manual criteria ticked by someone who may tick
them, moves dated in the past; then won (contract, milestones, delivery), lost, abandoned or
left open part-way through its current stage. Every call goes through ``pipeline.services``,
so every gate is the product's: an evidence criterion is never ticked, the record answers it
(``process.evidence``), and the walk records what it asks before the gate it guards."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from keyaccount.contacts.models import Contact
from keyaccount.customers.models import Customer
from keyaccount.org.models import User
from keyaccount.pipeline import services
from keyaccount.pipeline.models import BuyingRoleEntry, Opportunity, PaymentMilestone
from keyaccount.pipeline.rules import (
    Attitude,
    BuyingRole,
    Element,
    Knowledge,
    RiskDecision,
    TeamRole,
)
from keyaccount.process.models import ExitCriterion, Stage, Step

from .deals import Deal
from .script import (
    ELEMENT_PLAN,
    FOLLOW_UPS,
    GAP_ELEMENTS,
    GAP_FOLLOW_UPS,
    GOALS,
    MILESTONES,
    MOTIVES,
    RISK_NOTES,
    RISK_PROFILES,
    RISK_SUMMARIES,
    RIVAL_PLAYS,
    ROLE_PLAN,
    TITLE_KEYS,
)

if TYPE_CHECKING:
    from .loader import Loader

# The sales director approves the bid price and the negotiation's bottom line; she covers the
# KA department, so he is a manager of every deal's owner and may tick them.
DIRECTOR_STEPS = ("bid_preparation", "negotiation_preparation")
# The criteria that are a consultant's work: ticked by the consultant on the deal where the
# step names the consultant as responsible (the needs report, the proof of concept, the bid's
# technical clarification, the hand-over to the implementation team).
CONSULTANT_WORK = ("需求分析报告已提交客户", "演示/概念验证", "投标澄清已完成", "项目启动会已召开")
# A stage's outcome, ticked only when the deal goes on from the stage (never part-way).
OUTCOMES = ("已获得中标通知书",)


class Walk:
    """One deal's history, event by event, in the order it happened."""

    def __init__(self, loader: "Loader", deal: Deal, customer: Customer) -> None:
        self.ld = loader
        self.deal = deal
        self.customer = customer
        self.owner = loader.users[deal.owner]
        self.rng = loader.rng
        self.team = {loader.users[u]: role for u, role in deal.team}
        self.consultant = next(
            (u for u, role in self.team.items() if role == TeamRole.CONSULTANT), None
        )
        self.contacts = {
            TITLE_KEYS.get(c.title, ""): c for c in Contact.objects.filter(customer=customer)
        }
        self.roles_set = 0
        self.mood = {"won": "good", "lost": "bad"}.get(deal.outcome) or self.rng.choice(
            ["good", "mixed", "mixed"]
        )

    # --- the walk ---------------------------------------------------------------------------

    def run(self) -> None:
        d, ld = self.deal, self.ld
        final = ld.by_code[d.stage]
        turn = ld.by_code[d.back_from] if d.back_from else final
        entered = d.entered or d.started
        back_at = entered
        if d.back_from:
            entered = entered + 15  # entered the later stage, then moved back
        signing = ld.today + timedelta(days=d.signing - d.slip)
        self.opp = services.opportunity_create(
            actor=self.owner,
            customer=self.customer,
            data={
                "name": d.name,
                "amount": Decimal(d.was_wan or d.wan) * 10_000,
                "expected_signing": signing,
                "products": d.products,
                "source": d.source,
                "strategic_fit": d.fit,
                "strategic_note": d.fit_note,
            },
            at=ld.at(d.started),
        )
        for user, role in self.team.items():
            services.member_add(actor=self.owner, opportunity=self.opp, user=user, role=role)
        self._rivals()
        # stages passed on the way, evenly over [started, entered]
        passed = [s for s in ld.stages if s.order < turn.order]
        span = (d.started - entered) / max(len(passed), 1)
        for i, stage in enumerate(passed):
            start = d.started - i * span
            self._pass_stage(stage, start, start - span)
        if d.back_from:
            self._stay(turn, entered, back_at, step=1)
            services.opportunity_move(
                actor=self.owner,
                opportunity=self.opp,
                forward=False,
                to_stage=final,
                reason=d.back_reason,
                at=ld.at(back_at),
            )
            services.element_set(
                actor=self.owner,
                opportunity=self.opp,
                element=Element.BUDGET,
                status=Knowledge.PARTLY,
                notes="范围调整后预算需重新报批，预计增加约30%",
            )
            entered = back_at
        end = d.closed or 1
        if d.outcome == "won":
            self._pass_stage(final, entered, end, win=True)
            self._milestones()
            self._deliver(end)
        else:
            self._stay(final, entered, end, step=d.step)
            if d.outcome == "lost" and d.lost:
                code, winner, lessons = d.lost
                services.opportunity_lose(
                    actor=self.owner,
                    opportunity=self.opp,
                    loss_reason=ld.loss_reasons[code],
                    winner=ld.competitors[winner],
                    lessons=lessons,
                    at=ld.at(end),
                )
            elif d.outcome == "abandoned" and d.risk != "high_abandoned":
                services.opportunity_abandon(
                    actor=self.owner, opportunity=self.opp, reason=d.reason, at=ld.at(end)
                )
        self._forecast_edits()

    def _pass_stage(self, stage: Stage, start: float, end: float, *, win: bool = False) -> None:
        """Go through every step of ``stage`` between ``start`` and ``end`` days ago and leave
        it through the gate (or by a director's override, or by winning). An override leaves
        the deal's manual criterion unticked, or stands in for what the record lacks (a deal
        that does not fit the strategy)."""
        steps = self.ld.steps[stage.pk]
        width = (start - end) / len(steps)
        override = (
            self.deal.override
            if self.deal.override and self.deal.override[0] == stage.code
            else None
        )
        skip = override[1] if override else ""
        for i, step in enumerate(steps):
            a, b = start - i * width, start - (i + 1) * width
            last = i == len(steps) - 1
            self._work_in_step(stage, step, a, b, complete=True, stage_level=last, skip=skip)
            if not last:
                services.opportunity_move(actor=self.owner, opportunity=self.opp, at=self.ld.at(b))
        if win:
            self._win(end)
        elif override:
            services.opportunity_move(
                actor=self.ld.director,
                opportunity=self.opp,
                override=True,
                reason=override[2],
                at=self.ld.at(end),
            )
        else:
            services.opportunity_move(actor=self.owner, opportunity=self.opp, at=self.ld.at(end))

    def _deliver(self, signed: float) -> None:
        """A won deal moves through implementation as delivery goes on: the hand-over is done
        a few days after the advance is collected, and the acceptance step is left a few
        days after a milestone is accepted (the evidence that step asks for)."""
        stage = self.ld.stages[-1]
        steps = self.ld.steps[stage.pk]
        milestones = list(PaymentMilestone.objects.filter(contract=self.contract).order_by("order"))
        marks: list[float] = []  # days ago each step is left
        if milestones and milestones[0].collected_on:
            marks.append(self._days_ago(milestones[0].collected_on) - 3)
            accepted = [m.accepted_on for m in milestones if m.accepted_on]
            if accepted:
                marks.append(self._days_ago(min(accepted)) - 3)
        start = signed
        for step, mark in zip(steps[:-1], marks, strict=False):
            end = max(mark, 1.0)
            if end >= start:
                break
            self._work_in_step(stage, step, start, end, complete=True, stage_level=False)
            services.opportunity_move(actor=self.owner, opportunity=self.opp, at=self.ld.at(end))
            start = end

    def _days_ago(self, day: date) -> float:
        return float((self.ld.today - day).days)

    def _stay(self, stage: Stage, start: float, end: float, *, step: int) -> None:
        """Reach step ``step`` of ``stage`` and stop part-way through its checklist."""
        steps = self.ld.steps[stage.pk][:step]
        # earlier steps share the first 70% of the time, the current step the rest
        width = (start - end) * 0.7 / (len(steps) - 1) if len(steps) > 1 else 0.0
        for i, s in enumerate(steps):
            a = start - i * width
            current = i == len(steps) - 1
            b = end if current else a - width
            self._work_in_step(stage, s, a, b, complete=not current, stage_level=current)
            if not current:
                services.opportunity_move(actor=self.owner, opportunity=self.opp, at=self.ld.at(b))

    def _work_in_step(
        self,
        stage: Stage,
        step: Step,
        a: float,
        b: float,
        *,
        complete: bool,
        stage_level: bool,
        skip: str = "",
    ) -> None:
        """What the team does in one step between ``a`` and ``b`` days ago: elements, a
        follow-up entry, the power map, the risk assessment, then the step's manual criteria
        (all of them when ``complete``, part of them otherwise). The evidence criteria are
        left to the record: a complete step has what they ask, the current one may not yet."""
        d = self.deal
        span = a - b
        gaps = d.gaps if not complete and stage.code == d.stage else ()
        self._elements(stage, step, complete=complete, gaps=gaps)
        if step.order == 1 or stage_level:
            self._follow_up(stage, step, a - span * 0.3, gaps=gaps)
        self._power_map(stage, step, gaps=gaps)
        if step.code == "technical_exchange" and complete:
            self._win_over_evaluators()
        if step.code == "first_interview":
            self._risk(a - span * 0.4)
        if d.risk == "reassessed" and not complete and stage.code == d.stage:
            self._assess("reassessed", a - span * 0.7, summary_level="high")
        moment = a - span * 0.75
        self._tick(stage, step, moment, span, complete=complete, stage_level=stage_level, skip=skip)
        if step.code == "first_interview" and not complete:
            if d.risk == "high_continued":
                self._decide(RiskDecision.CONTINUE)
            elif d.risk == "high_abandoned":
                self._decide(RiskDecision.ABANDON)

    def _tick(
        self,
        stage: Stage,
        step: Step,
        moment: float,
        span: float,
        *,
        complete: bool,
        stage_level: bool,
        skip: str,
    ) -> None:
        """Tick the step's manual criteria (and the stage's, in its last or current step):
        every mandatory one and most optional ones when the step is complete; half of them,
        and now and then a criterion of the stage, in the current step."""
        manual = [
            c
            for c in self.ld.criteria[stage.pk]
            if not c.evidence and (c.step_id == step.pk or (stage_level and c.step_id is None))
        ]
        manual.sort(key=lambda c: c.step_id is None)  # the step's first, then the stage's
        done = set(self.opp.checks.values_list("criterion_id", flat=True))
        for n, criterion in enumerate(manual):
            if criterion.pk in done or (skip and criterion.text_zh.startswith(skip)):
                continue
            if not complete and criterion.text_zh.startswith(OUTCOMES):
                continue
            if complete:
                wanted = criterion.mandatory or self.rng.random() < 0.6
            else:
                wanted = n < len(manual) // 2 or (
                    criterion.step_id is None and self.rng.random() < 0.3
                )
            if wanted:
                services.criterion_set(
                    actor=self._checker(criterion, step),
                    opportunity=self.opp,
                    criterion=criterion,
                    checked=True,
                    note=self._check_note(criterion),
                    at=self.ld.at(moment - span * 0.05 * n),
                )

    def _checker(self, criterion: ExitCriterion, step: Step) -> User:
        """Who ticks a manual criterion: someone who may (the owner, a manager of the owner's
        unit, or a team member holding a role the step names)."""
        if criterion.step_id is None:
            return self.owner  # the stage as a whole: the owner's (or a manager's) to judge
        if step.code in DIRECTOR_STEPS:
            return self.ld.director
        roles = self.ld.responsible[step.stage_id].get(step.pk, frozenset())
        if (
            self.consultant
            and "consultant" in roles
            and criterion.text_zh.startswith(CONSULTANT_WORK)
        ):
            return self.consultant
        return self.owner

    def _check_note(self, criterion: ExitCriterion) -> str:
        if criterion.text_zh.startswith("客户项目已正式立项"):
            return "已取得立项批复文件"
        if criterion.text_zh.startswith("已获得中标通知书"):
            return "中标通知书已收到，原件存档"
        if criterion.text_zh.startswith("需求分析报告已提交客户"):
            sponsor = self.contacts.get("vp_it")
            return f"项目发起人：{sponsor.title}{sponsor.name}" if sponsor else ""
        return ""

    def _decide(self, decision: str) -> None:
        """The sales director decides the high-risk deal (a continue clears the risk for the
        first interview's criterion; an abandon closes the deal)."""
        assessment = self.opp.risk_assessments.order_by("-assessed_on", "-id").first()
        assert assessment is not None
        services.risk_decide(
            actor=self.ld.director,
            assessment=assessment,
            decision=decision,
            reason=self.deal.reason,
        )

    # --- the things recorded along the way --------------------------------------------------

    def _fill(self, text: str) -> str:
        d = self.deal
        rivals = "、".join(name for name, _s in d.rivals) or "暂无明显竞争对手"
        signing = self.ld.today + timedelta(days=d.signing)
        return text.format(
            name=d.name,
            products=d.products.split("、")[0] if d.products else d.name,
            wan=d.was_wan or d.wan,
            rivals=rivals,
            signing=f"{signing.year}年{signing.month}月",
        )

    def _elements(self, stage: Stage, step: Step, *, complete: bool, gaps: tuple[str, ...]) -> None:
        """What the team learns in the step (part of it in the current step); an element a
        gap names stays partly known, with what is still open."""
        held = {GAP_ELEMENTS[g][0]: GAP_ELEMENTS[g][1] for g in gaps if g in GAP_ELEMENTS}
        for number, element, status, note in ELEMENT_PLAN.get(stage.code, []):
            if number != step.order or element in held:
                continue
            if not complete and self.rng.random() < 0.4:
                continue
            services.element_set(
                actor=self.consultant if self.consultant and number > 1 else self.owner,
                opportunity=self.opp,
                element=element,
                status=status,
                notes=self._fill(note),
            )
        for element, note in held.items():
            services.element_set(
                actor=self.owner,
                opportunity=self.opp,
                element=element,
                status=Knowledge.PARTLY,
                notes=self._fill(note),
            )

    def _follow_up(self, stage: Stage, step: Step, x: float, *, gaps: tuple[str, ...]) -> None:
        """An entry of the KA follow-up form: the step's, or what keeps the deal waiting."""
        entries = FOLLOW_UPS.get(stage.code)
        if not entries:
            return
        progress, next_steps, support = entries[(step.order - 1) % len(entries)]
        for gap in gaps:
            progress, next_steps, support = GAP_FOLLOW_UPS.get(gap, (progress, next_steps, support))
        services.follow_up_add(
            actor=self.owner,
            opportunity=self.opp,
            on=self.ld.on(x),
            progress=self._fill(progress),
            next_steps=next_steps,
            support_needed=support,
        )

    def _power_map(self, stage: Stage, step: Step, *, gaps: tuple[str, ...]) -> None:
        """The map grows as the deal advances: two people after the lead, five (with the
        decision maker and a coach) by the decision mapping, all of them by the tender. A deal
        whose decision maker is still unclear leaves him off."""
        wanted = min(2 * stage.order + step.order - 1, len(ROLE_PLAN))
        plan = [p for p in ROLE_PLAN if p[0] in self.contacts]
        if self.deal.wan < 1000:
            plan = [p for p in plan if p[0] != "gm"]
        goal = GOALS.get(self.customer.industry.code if self.customer.industry else "", "")
        for key, role, influence in plan[self.roles_set : wanted]:
            if key == "vp_it" and any(p[0] == "gm" for p in plan):
                role = BuyingRole.INFLUENCER  # the general manager decides the big ones
            if role == BuyingRole.DECISION_MAKER and "decision_maker" in gaps:
                continue
            attitude = self._attitude(role, self.mood)
            services.buying_role_set(
                actor=self.owner,
                opportunity=self.opp,
                contact=self.contacts[key],
                data={
                    "role": role,
                    "influence": influence,
                    "attitude": attitude,
                    "personal_motives": MOTIVES.get((role, attitude), ""),
                    "organisational_goals": goal,
                },
            )
        self.roles_set = max(self.roles_set, min(wanted, len(plan)))

    def _attitude(self, role: str, mood: str) -> str:
        """How a contact stands when joining the map. Technical evaluators who are not for us
        yet are won over in the technical exchange (``_win_over_evaluators``)."""
        if role == BuyingRole.COACH:
            return Attitude.SUPPORTER
        if role == BuyingRole.TECHNICAL_EVALUATOR and "tech_support" in self.deal.gaps:
            return Attitude.NEUTRAL
        table: dict[str, dict[str, str]] = {
            BuyingRole.DECISION_MAKER: {"good": Attitude.SUPPORTER, "mixed": Attitude.NEUTRAL},
            BuyingRole.TECHNICAL_EVALUATOR: {"good": Attitude.SUPPORTER,
                                             "mixed": Attitude.NEUTRAL,
                                             "bad": Attitude.NEUTRAL},
            BuyingRole.INFLUENCER: {"good": Attitude.NEUTRAL},
            BuyingRole.GATEKEEPER: {"good": Attitude.NEUTRAL, "mixed": Attitude.NEUTRAL},
        }  # fmt: skip
        if role == BuyingRole.USER:
            return self.rng.choice([Attitude.SUPPORTER, Attitude.NEUTRAL, Attitude.UNKNOWN])
        return table.get(role, {}).get(mood, Attitude.OPPONENT)

    def _win_over_evaluators(self) -> None:
        """The technical exchange and proof of concept convince the technical evaluators."""
        motive = MOTIVES[(BuyingRole.TECHNICAL_EVALUATOR, Attitude.SUPPORTER)]
        for entry in BuyingRoleEntry.objects.filter(
            opportunity=self.opp, role=BuyingRole.TECHNICAL_EVALUATOR
        ).exclude(attitude=Attitude.SUPPORTER):
            services.buying_role_set(
                actor=self.consultant or self.owner,
                opportunity=self.opp,
                contact=entry.contact,
                data={
                    "attitude": Attitude.SUPPORTER,
                    "personal_motives": motive,
                    "notes": "技术交流和概念验证后转为支持我方",
                },
            )

    def _rivals(self) -> None:
        for short, strength in self.deal.rivals:
            theirs, ours = RIVAL_PLAYS[short]
            services.competitor_set(
                actor=self.owner,
                opportunity=self.opp,
                competitor=self.ld.competitors[short],
                strength=strength,
                their_strategy=theirs,
                our_strategy=ours,
            )

    def _risk(self, x: float) -> None:
        profile = self.deal.risk
        if profile in ("reassessed",):
            profile = "medium"
        if profile == "high_pending" and "煤电" in self.deal.customer:
            profile = "high_pay"
        level = "low" if profile == "low" else "medium" if profile == "medium" else "high"
        self._assess(profile, x, summary_level=level)

    def _assess(self, profile: str, x: float, *, summary_level: str) -> None:
        scores = {
            f.code: services.ScoreInput(score, RISK_NOTES.get(f.code, "") if score >= 3 else "")
            for f, score in zip(self.ld.factors, RISK_PROFILES[profile], strict=False)
        }
        for f in self.ld.factors[len(RISK_PROFILES[profile]) :]:
            scores[f.code] = services.ScoreInput(1)  # factors an administrator added later
        services.risk_assess(
            actor=self.consultant or self.owner,
            opportunity=self.opp,
            assessed_on=self.ld.on(x),
            scores=scores,
            summary=RISK_SUMMARIES[summary_level],
        )

    def _win(self, x: float) -> None:
        d = self.deal
        signed_on = self.ld.on(x)
        signed = (Decimal(d.wan) * 10_000 * Decimal("0.97")).quantize(
            Decimal(100), rounding=ROUND_HALF_UP
        )
        contract = services.opportunity_win(
            actor=self.owner,
            opportunity=self.opp,
            contract_number=self.ld.next_contract_number(signed_on),
            signed_amount=signed,
            signed_on=signed_on,
            milestones=[
                services.MilestoneInput(
                    name=name,
                    due_on=signed_on + timedelta(days=days),
                    percentage=Decimal(pct),
                )
                for name, pct, days in MILESTONES
            ],
            at=self.ld.at(x),
        )
        self.contract = contract

    def _milestones(self) -> None:
        """Payment milestones partly accepted, invoiced and collected."""
        today = self.ld.today
        yesterday = today - timedelta(days=1)
        for i, m in enumerate(PaymentMilestone.objects.filter(contract=self.contract)):
            if m.due_on > yesterday:
                break
            data: dict[str, object] = {
                "invoiced_on": m.due_on,
                "invoiced_amount": m.amount,
            }
            if i > 0:
                data["accepted_on"] = m.due_on - timedelta(days=5)
            if i < self.deal.collected:
                data["collected_on"] = min(m.due_on + timedelta(days=12), yesterday)
                data["collected_amount"] = m.amount
            services.milestone_update(
                actor=self.owner, milestone=m, data=data, expected_version=m.version
            )

    def _forecast_edits(self) -> None:
        d = self.deal
        if not (d.slip or d.was_wan) or d.outcome != "open":
            return
        opp = Opportunity.objects.get(pk=self.opp.pk)
        data: dict[str, object] = {}
        if d.slip:
            data["expected_signing"] = self.ld.today + timedelta(days=d.signing)
        if d.was_wan:
            data["amount"] = Decimal(d.wan) * 10_000
        services.opportunity_update(
            actor=self.owner,
            opportunity=opp,
            data=data,
            expected_version=opp.version,
            reason=d.slip_reason or d.amount_reason,
        )

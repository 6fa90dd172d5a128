"""Loading the demo pipeline: the shared state of the load (one seeded RNG, today, users,
stages, criteria, the roles each step names as responsible, risk factors, contract numbers),
the competitor catalogue, extra contacts, then every deal walked in turn."""

import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from keyaccount.contacts.models import Contact
from keyaccount.contacts.services import contact_create
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.org.demo import person_name
from keyaccount.org.models import User
from keyaccount.pipeline import services
from keyaccount.pipeline.gate import responsible_roles
from keyaccount.pipeline.models import Competitor, LossReason, RiskFactor
from keyaccount.process.models import ExitCriterion, Stage, Step

from .deals import DEALS
from .script import COMPETITORS, EXTRA_CONTACTS, TITLE_KEYS
from .walk import Walk

SEED = 20260214
DIRECTOR = "zhao.min"


def load() -> None:
    """Create the demo opportunities (customers and users of the demo must exist)."""
    Loader().run()


class Loader:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.now = timezone.localtime()
        self.today = self.now.date()
        self.users = {u.username: u for u in User.objects.all()}
        self.director = self.users[DIRECTOR]
        self.stages = list(Stage.objects.order_by("order"))
        self.by_code = {s.code: s for s in self.stages}
        self.steps = {
            s.pk: list(Step.objects.filter(stage=s).order_by("order")) for s in self.stages
        }
        self.criteria = {
            s.pk: list(ExitCriterion.objects.filter(stage=s).order_by("order", "id"))
            for s in self.stages
        }
        self.responsible = {s.pk: responsible_roles(s.pk) for s in self.stages}
        self.factors = list(RiskFactor.objects.filter(is_active=True).order_by("order", "code"))
        self.loss_reasons = {r.code: r for r in LossReason.objects.all()}
        self.contract_no = 0

    # ``x`` days ago (a float ≥ 1, so never today) in office hours: a smaller x is later
    def at(self, x: float) -> datetime:
        days = int(x)
        fraction = x - days
        day = self.now - timedelta(days=days)
        start = day.replace(hour=9, minute=0, second=0, microsecond=0)
        return start + timedelta(minutes=int((1 - fraction) * 9 * 60) - 1)

    def on(self, x: float) -> date:
        return self.at(x).date()

    def run(self) -> None:
        self.competitors = self._competitors()
        customers = {
            c.name: c
            for c in Customer.objects.filter(status=RegistrationStatus.REGISTERED).select_related(
                "industry", "owner"
            )
        }
        of_deal = [
            next(c for name, c in customers.items() if name.startswith(deal.customer))
            for deal in DEALS
        ]
        for customer in {c.pk: c for c in of_deal}.values():
            self._extra_contacts(customer)
        for deal, customer in zip(DEALS, of_deal, strict=True):
            Walk(self, deal, customer).run()

    def _competitors(self) -> dict[str, Competitor]:
        registrar, admin = self.users["chen.hao"], self.users["admin"]
        result = {}
        for name, short, strengths, weaknesses in COMPETITORS:
            comp = services.competitor_register(actor=registrar, name=name, short_name=short)
            # The catalogue's descriptions are kept in the back office.
            comp.strengths, comp.weaknesses = strengths, weaknesses
            comp._history_user = admin  # type: ignore[attr-defined]
            comp.save()
            result[short] = comp
        return result

    def _extra_contacts(self, customer: Customer) -> None:
        extra = EXTRA_CONTACTS.get(customer.industry.code if customer.industry else "", [])
        if not extra:
            return
        by_key = {TITLE_KEYS.get(c.title, ""): c for c in Contact.objects.filter(customer=customer)}
        for key, title, department, boss in extra:
            by_key[key] = contact_create(
                actor=customer.owner,
                customer=customer,
                data={
                    "name": self.person(),
                    "title": title,
                    "department": department,
                    "mobile": "1"
                    + self.rng.choice("3589")
                    + "".join(self.rng.choice("0123456789") for _ in range(9)),
                    "email": f"{key}{customer.pk}@customer.example.cn",
                    "reports_to": by_key.get(boss),
                },
            )

    def person(self) -> str:
        return person_name(self.rng)

    def next_contract_number(self, signed_on: date) -> str:
        self.contract_no += 1
        return f"HR-{signed_on.year}-{self.contract_no:03d}"

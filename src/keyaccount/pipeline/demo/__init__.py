"""Demo opportunities: about thirty deals of the demo customers in every stage, with histories
that went through the same services as the product, dated over the past nine months.

Each deal is walked from its creation through the gates: key evaluation elements learned
stage by stage, KA follow-up entries, risk assessments, competitors, buying roles (the power
map), manual criteria ticked by people who may tick them (the owner, the director for the bid
price and the bottom line, a consultant for their own work), moves dated in the past; then
won with a contract and payment milestones, lost to a competitor, abandoned, or left open
part-way through its current stage. Evidence criteria are never ticked: the walk records what
they ask before the gate they guard, and open deals show them met or not yet met, some waiting
on one (a budget not confirmed, no decision maker on the power map, technical evaluators not
won over). Three high-risk deals await the sales director, one was continued, one abandoned on
her decision; three histories carry a director's gate override (one for a deal that does not
fit the strategy) and one a move back. Deterministic: a fixed seed, every date relative to
today. Company names are fictional.

Submodules:

- ``deals``: ``Deal`` and ``DEALS``, the scripted opportunities and the history each is given.
- ``script``: what they meet and record along the way: the competitor catalogue and rivals'
  plays, element plans, follow-up entries, what a waiting deal lacks, risk profiles and notes,
  the power map's roles, motives and goals, extra contacts, payment milestones.
- ``loader``: ``load()`` and ``Loader``, the shared state of one load (the seeded RNG, today,
  users, stages, criteria, the steps' responsible roles, factors, contract numbers), the
  competitors and extra contacts.
- ``walk``: ``Walk``, one deal driven through the gates, risk, contracts and milestones.
"""

from .deals import DEALS, Deal
from .loader import load

__all__ = ["DEALS", "Deal", "load"]

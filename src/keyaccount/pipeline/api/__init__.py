"""The pipeline over REST, mounted on ``/api/pipeline/``: one ``router`` that includes one
sub-router per sub-domain.

Every route reads through ``pipeline.access`` and ``pipeline.selectors`` (built on
``visible_to(user)``: an opportunity outside it is a 404, the same answer as a missing one)
and writes through one ``pipeline.services`` call, which decides everything, the gate and the
risk decision included: the API only parses, calls and reports. A refused gate answers 409
with ``GateRefusedOut``, whose ``missing`` lists what is missing, one sentence each, exactly
the sentences ``GET …/gate`` shows. Errors are mapped in ``core.api_errors``. Personal motives
and risk data follow the opportunity's visibility.

The submodules hold:

- ``deals``: opportunity lists, totals, the board and the major-project list; opening,
  reading, editing and reassigning an opportunity; its forecast changes.
- ``imports``: deals brought in from another system at their stage, with their history.
- ``gate``: the gate (checklist, forms, elements, what is missing), checking criteria off,
  moving forward and back, the transitions.
- ``outcomes``: won (with the contract and its milestones), lost, abandoned, reopened; the
  loss reasons.
- ``contracts``: the signed contract and its payment milestones.
- ``work``: key evaluation elements, competitors (and their catalogue), the deal team, KA
  follow-up entries.
- ``power_map``: buying roles and the power map.
- ``risk``: risk factors, risk assessments and a sales director's decision.
- ``reviews``: the gates a sales director overrode, and the department head's review.
- ``_convert``: the model → schema conversions several of them share (``user_ref``, ``ref``,
  ``stage_ref``, ``cents``, ``list_item``, ``opportunity_detail``, ``transition_out``,
  ``contract_out``…).
- ``_errors``: ``service_errors`` (service errors under the API's field names), ``no_such``
  (422 for an id or code that names nothing) and ``refused`` (the gate's 409).
"""

from ninja import Router

from . import contracts, deals, gate, imports, outcomes, power_map, reviews, risk, work

router = Router(tags=["pipeline"])
router.add_router("", imports.router)  # before ``deals``: ``/opportunities/import`` is no id
router.add_router("", deals.router)
router.add_router("", gate.router)
router.add_router("", outcomes.router)
router.add_router("", contracts.router)
router.add_router("", work.router)
router.add_router("", power_map.router)
router.add_router("", risk.router)
router.add_router("", reviews.router)

__all__ = ["router"]

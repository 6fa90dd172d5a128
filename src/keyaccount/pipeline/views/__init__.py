"""The pipeline's pages (URL namespace ``pipeline``, wired in ``pipeline/urls.py``).

Every view reads the same way: check access → parse → one service or selector call → render
the page (or the htmx fragment) or redirect. Records are fetched through ``pipeline.access``:
an opportunity (or a record of one) outside the user's visibility is a 404, the same as one that
does not exist; an action the user may not take on a deal they can see is a 403
(``services.access``: run / work / override).

The submodules hold:

- ``lists``: the list with its filters and totals, the major-project list (大项目名单), their
  Excel exports, the board by stage;
- ``deals``: opening a deal, editing it, handing it to another owner, and the customer page's
  *Opportunities* tab (``customer_tab``, registered from ``apps.py``);
- ``detail``: the opportunity page and the context of each of its tabs (``render_detail``, which
  the actions use to re-show the page with a refused form);
- ``dialogs``: the gate (move), moving back, won, lost, abandoned, reopened;
- ``reviews``: the gates a sales director overrode, for the department head to review;
- ``work``: the checklist's checks, key evaluation elements, competitors, the team, KA
  follow-up entries;
- ``contracts``: a won deal's payment milestones;
- ``power_map``: the power map page and the buying roles;
- ``risk``: the risk assessment form (风险评估表): new, printable, Excel, a director's decision;
- ``printing``: the KA follow-up form (大客户跟进表) as a printable page and in Excel;
- ``_common``: what several of them share: ``detail_url``, the answer after a successful
  action (``done``), a page-or-fragment render, the run/work checks, stage labels.
"""

from .deals import customer_tab

__all__ = ["customer_tab"]

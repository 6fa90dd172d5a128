"""Pages of the pipeline (namespace ``pipeline``); ``views/__init__.py`` says which submodule
of the views holds what."""

from django.urls import path

from .views import (
    contracts,
    deals,
    detail,
    dialogs,
    lists,
    power_map,
    printing,
    reviews,
    risk,
    work,
)

app_name = "pipeline"
urlpatterns = [
    # lists, board and their exports (views/lists.py)
    path("pipeline/", lists.opportunity_list, name="list"),
    path("pipeline/board/", lists.board, name="board"),
    path("pipeline/export.xlsx", lists.list_export, name="export"),
    path("pipeline/major/", lists.major_projects, name="major"),
    path("pipeline/major/export.xlsx", lists.major_export, name="major_export"),
    # the gates a director overrode, for review (views/reviews.py)
    path("pipeline/overrides/", reviews.overrides, name="overrides"),
    path("pipeline/overrides/<id:pk>/review/", reviews.override_review, name="override_review"),
    # opening, editing and handing over (views/deals.py)
    path("pipeline/new/", deals.opportunity_create, name="create"),
    path("pipeline/<id:pk>/edit/", deals.opportunity_edit, name="edit"),
    path("pipeline/<id:pk>/reassign/", deals.reassign, name="reassign"),
    # the opportunity page (views/detail.py) and its dialogs (views/dialogs.py)
    path("pipeline/<id:pk>/", detail.detail, name="detail"),
    path("pipeline/<id:pk>/move/", dialogs.move, name="move"),
    path("pipeline/<id:pk>/back/", dialogs.move_back, name="back"),
    path("pipeline/<id:pk>/win/", dialogs.win, name="win"),
    path("pipeline/<id:pk>/lose/", dialogs.lose, name="lose"),
    path("pipeline/<id:pk>/abandon/", dialogs.abandon, name="abandon"),
    path("pipeline/<id:pk>/reopen/", dialogs.reopen, name="reopen"),
    # the team's work on the deal (views/work.py)
    path("pipeline/<id:pk>/checks/<id:criterion_id>/", work.check, name="check"),
    path("pipeline/<id:pk>/elements/<slug:element>/", work.element, name="element"),
    path("pipeline/<id:pk>/competitors/", work.competitor_set, name="competitor_set"),
    path(
        "pipeline/<id:pk>/competitors/<id:competitor_id>/remove/",
        work.competitor_remove,
        name="competitor_remove",
    ),
    path("pipeline/<id:pk>/team/", work.member_add, name="member_add"),
    path(
        "pipeline/<id:pk>/team/<id:user_id>/remove/",
        work.member_remove,
        name="member_remove",
    ),
    path("pipeline/<id:pk>/follow-ups/", work.follow_up_add, name="follow_up_add"),
    # payment milestones (views/contracts.py)
    path("pipeline/<id:pk>/milestones/", contracts.milestone_add, name="milestone_add"),
    path("pipeline/milestones/<id:pk>/", contracts.milestone_edit, name="milestone_edit"),
    path(
        "pipeline/milestones/<id:pk>/delete/",
        contracts.milestone_delete,
        name="milestone_delete",
    ),
    # power map and buying roles (views/power_map.py)
    path("pipeline/<id:pk>/power-map/", power_map.power_map, name="power_map"),
    path("pipeline/<id:pk>/roles/", power_map.buying_role_set, name="role_set"),
    path(
        "pipeline/<id:pk>/roles/<id:contact_id>/remove/",
        power_map.buying_role_remove,
        name="role_remove",
    ),
    # risk assessment (views/risk.py)
    path("pipeline/<id:pk>/risk/new/", risk.risk_new, name="risk_new"),
    path("pipeline/risk/<id:pk>/", risk.risk_form, name="risk_form"),
    path("pipeline/risk/<id:pk>/export.xlsx", risk.risk_export, name="risk_export"),
    path("pipeline/risk/<id:pk>/decide/", risk.risk_decide, name="risk_decide"),
    # the KA follow-up form, printable and in Excel (views/printing.py)
    path("pipeline/<id:pk>/follow-up-form/", printing.follow_up_form, name="follow_up_form"),
    path(
        "pipeline/<id:pk>/follow-up-form.xlsx",
        printing.follow_up_export,
        name="follow_up_export",
    ),
]

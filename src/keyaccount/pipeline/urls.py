"""Pages of the pipeline (namespace ``pipeline``). Three groups, one module each:
lists and editing (``views``), the opportunity page and its actions (``views_detail``),
the power map, risk assessment and printable forms (``views_forms``)."""

from django.urls import path

from . import views, views_detail, views_forms

app_name = "pipeline"
urlpatterns = [
    # lists, board, creating and editing (views.py)
    path("pipeline/", views.opportunity_list, name="list"),
    path("pipeline/board/", views.board, name="board"),
    path("pipeline/export.xlsx", views.list_export, name="export"),
    path("pipeline/major/", views.major_projects, name="major"),
    path("pipeline/major/export.xlsx", views.major_export, name="major_export"),
    path("pipeline/new/", views.opportunity_create, name="create"),
    path("pipeline/<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("pipeline/<int:pk>/reassign/", views.reassign, name="reassign"),
    # the opportunity page and its actions (views_detail.py)
    path("pipeline/<int:pk>/", views_detail.detail, name="detail"),
    path("pipeline/<int:pk>/move/", views_detail.move, name="move"),
    path("pipeline/<int:pk>/back/", views_detail.move_back, name="back"),
    path("pipeline/<int:pk>/win/", views_detail.win, name="win"),
    path("pipeline/<int:pk>/lose/", views_detail.lose, name="lose"),
    path("pipeline/<int:pk>/abandon/", views_detail.abandon, name="abandon"),
    path("pipeline/<int:pk>/reopen/", views_detail.reopen, name="reopen"),
    path("pipeline/<int:pk>/checks/<int:criterion_id>/", views_detail.check, name="check"),
    path("pipeline/<int:pk>/elements/<slug:element>/", views_detail.element, name="element"),
    path("pipeline/<int:pk>/competitors/", views_detail.competitor_set, name="competitor_set"),
    path(
        "pipeline/<int:pk>/competitors/<int:competitor_id>/remove/",
        views_detail.competitor_remove,
        name="competitor_remove",
    ),
    path("pipeline/<int:pk>/team/", views_detail.member_add, name="member_add"),
    path(
        "pipeline/<int:pk>/team/<int:user_id>/remove/",
        views_detail.member_remove,
        name="member_remove",
    ),
    path("pipeline/<int:pk>/follow-ups/", views_detail.follow_up_add, name="follow_up_add"),
    path("pipeline/<int:pk>/milestones/", views_detail.milestone_add, name="milestone_add"),
    path("pipeline/milestones/<int:pk>/", views_detail.milestone_edit, name="milestone_edit"),
    path(
        "pipeline/milestones/<int:pk>/delete/",
        views_detail.milestone_delete,
        name="milestone_delete",
    ),
    # power map, buying roles, risk assessment, printable and Excel forms (views_forms.py)
    path("pipeline/<int:pk>/power-map/", views_forms.power_map, name="power_map"),
    path("pipeline/<int:pk>/roles/", views_forms.buying_role_set, name="role_set"),
    path(
        "pipeline/<int:pk>/roles/<int:contact_id>/remove/",
        views_forms.buying_role_remove,
        name="role_remove",
    ),
    path("pipeline/<int:pk>/risk/new/", views_forms.risk_new, name="risk_new"),
    path("pipeline/risk/<int:pk>/", views_forms.risk_form, name="risk_form"),
    path("pipeline/risk/<int:pk>/export.xlsx", views_forms.risk_export, name="risk_export"),
    path("pipeline/risk/<int:pk>/decide/", views_forms.risk_decide, name="risk_decide"),
    path("pipeline/<int:pk>/follow-up-form/", views_forms.follow_up_form, name="follow_up_form"),
    path(
        "pipeline/<int:pk>/follow-up-form.xlsx",
        views_forms.follow_up_export,
        name="follow_up_export",
    ),
]

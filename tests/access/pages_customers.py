"""Access-matrix entries for the customer and contact pages and the customers' import/export
(URL namespaces ``customers`` and ``customers_io``).

Not wired in by itself: ``registry.py`` adds them at its end, after its helpers exist::

    from .pages_customers import CUSTOMERS_PAGE_ROUTES  # noqa: E402

    ROUTES.extend(CUSTOMERS_PAGE_ROUTES)

The objects are those of the API entries (``api_customers``): a registered customer of ``kam``
with one contact, or a pending registration request of ``kam``. Who gets what follows the same
rules as the API (SPEC §2, ``customers.permissions``):

- a customer (or contact, or registration request) outside the role's visibility is a 404 for
  every route, pages and downloads alike: ``KAM_CUSTOMER_VIEWERS`` see kam's customer;
- the lists (the KA list, the registration queue and the list exports) answer 200 to everyone
  signed in and contain only what the role sees;
- on a visible customer: the owner, their managers and the department assistant edit the profile
  and the contacts; the owner and managers score and evaluate (the assistant gets 403); only
  managers grade; only the department head allocates; only the assistant decides registrations;
  the administrator may do everything;
- registering is for the selling roles and the administrator (403 for the others, who still see
  the queue); importing is for whoever registers plus the roles that keep customer data in their
  scope (``importing.can_import``: everyone in the cast but the consultant).

An allowed write answers 302 to a page of the customer whose id the entry cannot know when it is
declared, so those entries expect a plain ``302`` and their ``verify`` (``effect``) checks the
exact ``Location`` and the work done; a denied write must change nothing (the harness's
snapshot) and ``effect`` checks that its work was not done either.

Observed and recorded here:

- A form re-shown with its errors answers **400** on every page (the ``*.invalid`` entries, and
  an upload the import cannot read); the one **200** is the registration form when the name only
  looks like an existing customer's: the form again with the likely duplicate to confirm, and
  nothing requested (``customers.register.likely_duplicate``).
- The POST-only actions answer 405 to a GET from anyone signed in, whatever the id: the method
  is checked before the record is looked up, so it tells nothing about it.
- The allocation page answers a visit too (a bookmark, a refresh after a refused allocation):
  naming customers (``?customers=1,2``) it is the form for them, with the POST's outcomes (404
  unless every one is visible, 403 unless the role allocates every one); naming none, it says
  how to pick them on the KA list, for the roles that allocate (403 for the others).
- The live duplicate check (``register_check``) and the registration form show likely
  duplicates with their owner to every role that registers, including customers it cannot open
  (the outsider sees kam's customer there): SPEC §5 ("the system finds likely duplicates … and
  shows them"), ``selectors.DuplicateView``. It is the one deliberate exception to "a list
  contains only what the role sees"; it shows name, owner, status and why it matches, nothing
  of the profile.
- An import preview belongs to its uploader: anyone else gets 404 for it, to see it or commit
  it (the consultant, who may not import, 403).
"""

import io
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from keyaccount.contacts.models import Contact
from keyaccount.customers import services
from keyaccount.customers.models import (
    Customer,
    Evaluation,
    FactorScore,
    GradeChange,
    ImportBatch,
    OwnerChange,
    RegistrationRequest,
)
from keyaccount.transfer import importing

from ..conftest import Cast
from .api_customers import (
    ALLOCATORS,
    DECIDERS,
    EVALUATION,
    GRADERS,
    KAM_CUSTOMER_VIEWERS,
    SCORERS,
    SELLERS,
    _kam,
    customer_now,
    kam_customer,
    kam_pending_request,
    visible,
)
from .registry import (
    SIGNED_IN,
    Ctx,
    Redirect,
    Route,
    page,
    page_shows,
    per_role,
)

EDITORS = KAM_CUSTOMER_VIEWERS  # profile and contacts: owner, managers, assistant, admin
REGISTRANTS = SELLERS | {"admin"}
IMPORTERS = frozenset(SIGNED_IN) - {"consultant"}

KAM_CUSTOMER = "矩阵测试电网有限公司"  # the name ``kam_customer`` gives it
KAM_CONTACT = "王总"
KAM_EVALUATION = "矩阵评估总结"
NEW_CUSTOMER = "矩阵测试新客户有限公司"  # what the registration form asks for
LOOKALIKE = "矩阵测试电网运营有限公司"  # likely a duplicate of kam's customer
IMPORT_NAME = "矩阵导入测试有限公司"  # the one row of the import file


# --- objects --------------------------------------------------------------------------------


def import_file() -> SimpleUploadedFile:
    """A one-row customers CSV (a fresh file object for every request)."""
    return SimpleUploadedFile("matrix.csv", f"客户名称\n{IMPORT_NAME}\n".encode())


def kam_import_batch(c: Cast) -> dict[str, Any]:
    """A preview of ``import_file`` uploaded by kam: one registration request to commit."""
    data = import_file().read()
    plan = importing.preview(user=_kam(c), file_name="matrix.csv", data=data)
    assert not plan.has_errors
    return {"batch": importing.save_batch(user=_kam(c), plan=plan, source=data)}


def kam_customer_evaluated(c: Cast) -> dict[str, Any]:
    """``kam_customer`` with one evaluation by kam."""
    made = kam_customer(c)
    data = {**EVALUATION, "summary": KAM_EVALUATION}
    services.evaluation_create(actor=_kam(c), customer=made["customer"], data=data)
    return made


# --- verify helpers -------------------------------------------------------------------------


def detail(o: SimpleNamespace, tab: str = "") -> str:
    return f"/customers/{o.customer.pk}/" + (f"?tab={tab}" if tab else "")


def effect(
    done: Callable[[Ctx], bool], location: Callable[[Ctx], str] | None = None
) -> Callable[[Ctx], None]:
    """An allowed write did its work (and redirected to ``location``); a denied one did not."""

    def run(ctx: Ctx) -> None:
        allowed = not ctx.denied
        assert done(ctx) == allowed, f"{ctx.role}: {'not done' if allowed else 'done'}"
        if allowed and location is not None:
            assert ctx.response.headers["Location"] == location(ctx), ctx.response.headers

    return run


def download_text(ctx: Ctx) -> str:
    """Every cell of a downloaded .xlsx (all sheets), or the text of a CSV."""
    content = ctx.response.content
    if content[:2] == b"PK":
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        cells = (
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
        return "\n".join(cells)
    return content.decode("utf-8-sig")


def download_shows(texts: Callable[[Cast, SimpleNamespace], dict[str, Iterable[str]]]):
    """On a 200 download, each text is in the file exactly for its roles."""

    def run(ctx: Ctx) -> None:
        if ctx.response.status_code != 200:
            return
        assert ctx.response["Cache-Control"] == "private, no-store"
        content = download_text(ctx)
        for text, viewers in texts(ctx.cast, ctx.o).items():
            should = ctx.role in set(viewers)
            assert (text in content) == should, (
                f"{ctx.role}: {text!r} {'missing from' if should else 'leaked into'} {ctx.url}"
            )

    return run


kam_customer_downloaded = download_shows(lambda c, o: {KAM_CUSTOMER: KAM_CUSTOMER_VIEWERS})
kam_customer_shown = page_shows(lambda c, o: {KAM_CUSTOMER: KAM_CUSTOMER_VIEWERS})

registered = effect(
    lambda ctx: RegistrationRequest.objects.filter(
        customer__name=NEW_CUSTOMER, requested_by=ctx.user
    ).exists(),
    lambda ctx: f"/customers/{Customer.objects.get(name=NEW_CUSTOMER).pk}/",
)


def lookalike_not_requested(ctx: Ctx) -> None:
    """Nobody's request is made; the form shows whoever may register the likely duplicate."""
    assert not Customer.objects.filter(name=LOOKALIKE).exists()
    if ctx.response.status_code == 200:
        assert KAM_CUSTOMER in ctx.response.content.decode(), "the duplicate is not shown"


edited = effect(lambda ctx: customer_now(ctx).notes == "matrix", lambda ctx: detail(ctx.o))
scored = effect(
    lambda ctx: FactorScore.objects.filter(
        customer=ctx.o.customer, factor__code="reachability", justification="矩阵"
    ).exists(),
    lambda ctx: detail(ctx.o, "scorecard"),
)
graded = effect(
    lambda ctx: (
        customer_now(ctx).grade == "B"
        and GradeChange.objects.filter(customer=ctx.o.customer, changed_by=ctx.user).exists()
    ),
    lambda ctx: detail(ctx.o, "scorecard"),
)
evaluated = effect(
    lambda ctx: Evaluation.objects.filter(customer=ctx.o.customer, summary="矩阵").exists(),
    lambda ctx: detail(ctx.o, "evaluations"),
)
allocated = effect(
    lambda ctx: (
        customer_now(ctx).owner_id == ctx.cast.colleague.pk
        and OwnerChange.objects.filter(customer=ctx.o.customer, changed_by=ctx.user).exists()
    ),
    lambda ctx: detail(ctx.o, "history"),
)
decided = effect(
    lambda ctx: RegistrationRequest.objects.get(pk=ctx.o.request.pk).decision == "approved"
)
contact_added = effect(
    lambda ctx: Contact.objects.filter(customer=ctx.o.customer, name="李工").exists(),
    lambda ctx: detail(ctx.o, "contacts"),
)
contact_renamed = effect(
    lambda ctx: Contact.objects.get(pk=ctx.o.contact.pk).name == "王董",
    lambda ctx: detail(ctx.o, "contacts"),
)
import_previewed = effect(
    lambda ctx: (
        ImportBatch.objects.filter(user=ctx.user).exists()
        and ctx.response.headers["Location"].startswith("/customers/import/?batch=")
    )
)
import_committed = effect(lambda ctx: Customer.objects.filter(name=IMPORT_NAME).exists())


# --- bodies ---------------------------------------------------------------------------------


def profile_body(c: Cast, o: SimpleNamespace, **changes: Any) -> dict[str, Any]:
    """The profile form as the edit page sends it (every other field blank, as registered)."""
    return {"name": o.customer.name, "version": o.customer.version, **changes}


def evaluation_body(c: Cast, o: SimpleNamespace) -> dict[str, Any]:
    return {**EVALUATION, "evaluated_on": timezone.localdate().isoformat()}


def allocate_body(c: Cast, o: SimpleNamespace) -> dict[str, Any]:
    """To colleague: sells, and is in the KA department the head covers."""
    return {"customers": [o.customer.pk], "new_owner": c.colleague.pk, "reason": "矩阵"}


def contact_edit_body(c: Cast, o: SimpleNamespace) -> dict[str, Any]:
    return {"name": "王董", "version": o.contact.version, "is_active": "on"}


# --- the routes -----------------------------------------------------------------------------

TABS = ("profile", "contacts", "scorecard", "evaluations", "history")


def _detail_url(suffix: str = "") -> Callable[[Cast, SimpleNamespace], str]:
    return lambda c, o: f"/customers/{o.customer.pk}/{suffix}"


def _decide_url(c: Cast, o: SimpleNamespace) -> str:
    return f"/customers/registrations/{o.request.pk}/decide/"


def _get_refused(name: str, url: str) -> Route:
    return page(name, url, signed_in=405)


#: What each tab shows of the records (besides the customer's name, on every tab).
TAB_SHOWS = {"contacts": KAM_CONTACT, "evaluations": KAM_EVALUATION}


def _tab(tab: str) -> Route:
    texts = {KAM_CUSTOMER: KAM_CUSTOMER_VIEWERS}
    if tab in TAB_SHOWS:
        texts[TAB_SHOWS[tab]] = KAM_CUSTOMER_VIEWERS
    return page(
        f"customers.detail.{tab}",
        lambda c, o: f"/customers/{o.customer.pk}/?tab={tab}",
        setup=kam_customer_evaluated if tab == "evaluations" else kam_customer,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
        verify=page_shows(lambda c, o: texts),
    )


CUSTOMERS_PAGE_ROUTES: list[Route] = [
    # the KA list and the registration queue: everyone, showing only what they see
    page("customers.list", "/customers/", setup=kam_customer, verify=kam_customer_shown),
    page(
        "customers.registrations",
        "/customers/registrations/",
        setup=kam_pending_request,
        verify=page_shows(lambda c, o: {"矩阵测试待备案公司": KAM_CUSTOMER_VIEWERS}),
    ),
    # registration (备案登记): the selling roles and the administrator
    page("customers.register.form", "/customers/register/", roles=per_role(REGISTRANTS, no=403)),
    page(
        "customers.register",
        "/customers/register/",
        method="POST",
        body={"name": NEW_CUSTOMER},
        roles=per_role(REGISTRANTS, yes=302, no=403),
        verify=registered,
    ),
    page(
        "customers.register.invalid",
        "/customers/register/",
        method="POST",
        body={"name": ""},
        roles=per_role(REGISTRANTS, yes=400, no=403),
        note="the form re-shown with its errors",
    ),
    page(
        "customers.register.likely_duplicate",
        "/customers/register/",
        method="POST",
        setup=kam_customer,
        body={"name": LOOKALIKE},
        roles=per_role(REGISTRANTS, no=403),
        verify=lookalike_not_requested,
        note="200: the form again, with the likely duplicate to confirm; nothing requested",
    ),
    page(
        "customers.register_check",
        "/customers/register/check/?name=" + quote("矩阵测试"),
        setup=kam_customer,
        roles=per_role(REGISTRANTS, no=403),
        verify=page_shows(lambda c, o: {KAM_CUSTOMER: REGISTRANTS}),
        note="likely duplicates are shown with their owner even to whom cannot open them",
    ),
    page(
        "customers.decide",
        _decide_url,
        method="POST",
        setup=kam_pending_request,
        body={"decision": "approve"},
        roles=visible(DECIDERS, yes=Redirect("/customers/registrations/")),
        verify=decided,
    ),
    page(
        "customers.decide.invalid",
        _decide_url,
        method="POST",
        setup=kam_pending_request,
        body={"decision": "reject"},
        roles=visible(DECIDERS, yes=400),
        note="a rejection needs a reason",
    ),
    page(
        "customers.decide_many",
        "/customers/registrations/decide/",
        method="POST",
        setup=kam_pending_request,
        body=lambda c, o: {"decision": "approve", "requests": [str(o.request.pk)]},
        roles=visible(DECIDERS, yes=Redirect("/customers/registrations/")),
        verify=decided,
        note="the ticked requests at once: all of them or none, 404 for one not visible",
    ),
    page(
        "customers.decide_many.invalid",
        "/customers/registrations/decide/",
        method="POST",
        setup=kam_pending_request,
        body=lambda c, o: {"decision": "reject", "requests": [str(o.request.pk)]},
        roles=visible(DECIDERS, yes=400),
        note="a rejection batch needs its one reason",
    ),
    page(
        "customers.allocate",
        "/customers/allocate/",
        method="POST",
        setup=kam_customer,
        body=allocate_body,
        roles=visible(ALLOCATORS, yes=302),
        verify=allocated,
    ),
    page(
        "customers.allocate.invalid",
        "/customers/allocate/",
        method="POST",
        setup=kam_customer,
        body=lambda c, o: {**allocate_body(c, o), "reason": " "},
        roles=visible(ALLOCATORS, yes=400),
        note="an allocation needs a reason",
    ),
    # the POST-only actions refuse a GET (405) before they look the record up, so a missing id
    # stands for any: it tells nothing about a record
    _get_refused("customers.decide.get", "/customers/registrations/987654321/decide/"),
    _get_refused("customers.decide_many.get", "/customers/registrations/decide/"),
    # a visit of the allocation page: for the customers its query names, or how to pick them
    page(
        "customers.allocate.get",
        "/customers/allocate/",
        signed_in=403,
        roles=dict.fromkeys(ALLOCATORS, 200),
        verify=page_shows(lambda c, o: {'data-testid="allocate-how"': ALLOCATORS}),
        note="no customer named: how to pick them on the KA list, for whoever allocates",
    ),
    page(
        "customers.allocate.get.customers",
        lambda c, o: f"/customers/allocate/?customers={o.customer.pk}",
        setup=kam_customer,
        roles=visible(ALLOCATORS),
        verify=page_shows(lambda c, o: {'data-testid="allocate-form"': ALLOCATORS}),
    ),
    page(
        "customers.allocate.get.missing",
        "/customers/allocate/?customers=987654321",
        signed_in=404,
    ),
    _get_refused("customers.scores.get", "/customers/987654321/scores/"),
    _get_refused("customers.grade.get", "/customers/987654321/grade/"),
    _get_refused("customers.evaluation_add.get", "/customers/987654321/evaluations/"),
    # the customer page and its tabs
    page(
        "customers.detail",
        _detail_url(),
        setup=kam_customer,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
        verify=kam_customer_shown,
    ),
    *(_tab(tab) for tab in TABS),
    page("customers.detail.missing", "/customers/987654321/", signed_in=404),
    # the profile form (客户档案表)
    page(
        "customers.edit.form",
        _detail_url("edit/"),
        setup=kam_customer,
        roles=per_role(EDITORS),
    ),
    page(
        "customers.edit",
        _detail_url("edit/"),
        method="POST",
        setup=kam_customer,
        body=lambda c, o: profile_body(c, o, notes="matrix"),
        roles=per_role(EDITORS, yes=302),
        verify=edited,
    ),
    page(
        "customers.edit.invalid",
        _detail_url("edit/"),
        method="POST",
        setup=kam_customer,
        body=lambda c, o: profile_body(c, o, name="", notes="matrix"),
        roles=per_role(EDITORS, yes=400),
    ),
    # scorecard, grade, evaluations
    page(
        "customers.scores",
        _detail_url("scores/"),
        method="POST",
        setup=kam_customer,
        body={"score_reachability": "3", "why_reachability": "矩阵"},
        roles=visible(SCORERS, yes=302),
        verify=scored,
    ),
    page(
        "customers.scores.invalid",
        _detail_url("scores/"),
        method="POST",
        setup=kam_customer,
        body={"score_reachability": "9", "why_reachability": "矩阵"},
        roles=visible(SCORERS, yes=400),
    ),
    page(
        "customers.grade",
        _detail_url("grade/"),
        method="POST",
        setup=kam_customer,
        body={"grade": "B", "reason": "矩阵"},
        roles=visible(GRADERS, yes=302),
        verify=graded,
    ),
    page(
        "customers.grade.invalid",
        _detail_url("grade/"),
        method="POST",
        setup=kam_customer,
        body={"grade": "", "reason": "矩阵"},
        roles=visible(GRADERS, yes=400),
    ),
    page(
        "customers.evaluation_add",
        _detail_url("evaluations/"),
        method="POST",
        setup=kam_customer,
        body=evaluation_body,
        roles=visible(SCORERS, yes=302),
        verify=evaluated,
    ),
    page(
        "customers.evaluation_add.invalid",
        _detail_url("evaluations/"),
        method="POST",
        setup=kam_customer,
        body=lambda c, o: {**evaluation_body(c, o), "relationship": ""},
        roles=visible(SCORERS, yes=400),
    ),
    # contacts
    page(
        "customers.contact_add.form",
        _detail_url("contacts/new/"),
        setup=kam_customer,
        roles=per_role(EDITORS),
    ),
    page(
        "customers.contact_add",
        _detail_url("contacts/new/"),
        method="POST",
        setup=kam_customer,
        body={"name": "李工"},
        roles=per_role(EDITORS, yes=302),
        verify=contact_added,
    ),
    page(
        "customers.contact_add.invalid",
        _detail_url("contacts/new/"),
        method="POST",
        setup=kam_customer,
        body={"name": ""},
        roles=per_role(EDITORS, yes=400),
    ),
    page(
        "customers.contact_edit.form",
        lambda c, o: f"/contacts/{o.contact.pk}/edit/",
        setup=kam_customer,
        roles=per_role(EDITORS),
    ),
    page(
        "customers.contact_edit",
        lambda c, o: f"/contacts/{o.contact.pk}/edit/",
        method="POST",
        setup=kam_customer,
        body=contact_edit_body,
        roles=per_role(EDITORS, yes=302),
        verify=contact_renamed,
    ),
    # exports: the lists hold only what the role sees; one customer's follow its visibility
    page(
        "io.export_list",
        "/customers/export/",
        setup=kam_customer,
        verify=kam_customer_downloaded,
    ),
    page(
        "io.export_list.csv",
        "/customers/export/?format=csv",
        setup=kam_customer,
        verify=kam_customer_downloaded,
    ),
    page(
        "io.export_contacts",
        "/customers/contacts/export/",
        setup=kam_customer,
        verify=download_shows(
            lambda c, o: {KAM_CUSTOMER: KAM_CUSTOMER_VIEWERS, KAM_CONTACT: KAM_CUSTOMER_VIEWERS}
        ),
    ),
    page(
        "io.export_profile",
        lambda c, o: f"/customers/{o.customer.pk}/export/",
        setup=kam_customer,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
        verify=download_shows(
            lambda c, o: {KAM_CUSTOMER: KAM_CUSTOMER_VIEWERS, KAM_CONTACT: KAM_CUSTOMER_VIEWERS}
        ),
    ),
    page(
        "io.print_profile",
        lambda c, o: f"/customers/{o.customer.pk}/print/",
        setup=kam_customer,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
        verify=page_shows(
            lambda c, o: {KAM_CUSTOMER: KAM_CUSTOMER_VIEWERS, KAM_CONTACT: KAM_CUSTOMER_VIEWERS}
        ),
    ),
    page(
        "io.export_evaluations",
        lambda c, o: f"/customers/{o.customer.pk}/evaluations/export/",
        setup=kam_customer_evaluated,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
        verify=download_shows(
            lambda c, o: {KAM_CUSTOMER: KAM_CUSTOMER_VIEWERS, KAM_EVALUATION: KAM_CUSTOMER_VIEWERS}
        ),
    ),
    # import: whoever may import (everyone but the consultant); a preview is its uploader's
    page("io.template", "/customers/import/template/", roles=per_role(IMPORTERS, no=403)),
    page("io.import.form", "/customers/import/", roles=per_role(IMPORTERS, no=403)),
    page(
        "io.import.preview",
        "/customers/import/",
        method="POST",
        body=lambda c, o: {"action": "preview", "file": import_file()},
        roles=per_role(IMPORTERS, yes=302, no=403),
        verify=import_previewed,
        note="the upload is kept as a preview (ImportBatch); nothing is imported yet",
    ),
    page(
        "io.import.preview.unreadable",
        "/customers/import/",
        method="POST",
        body=lambda c, o: {"action": "preview", "file": SimpleUploadedFile("x.csv", b"")},
        roles=per_role(IMPORTERS, yes=400, no=403),
    ),
    page(
        "io.import.batch",
        lambda c, o: f"/customers/import/?batch={o.batch.pk}",
        setup=kam_import_batch,
        roles={**per_role({"kam"}), "consultant": 403},
        verify=page_shows(lambda c, o: {IMPORT_NAME: {"kam"}}),
        note="someone else's preview is a 404, as if it did not exist",
    ),
    page(
        "io.import.commit",
        "/customers/import/",
        method="POST",
        setup=kam_import_batch,
        body=lambda c, o: {"action": "commit", "batch": str(o.batch.pk)},
        roles={**per_role({"kam"}, yes=302), "consultant": 403},
        verify=import_committed,
        note="only the uploader commits their preview (a job; then its result page)",
    ),
]

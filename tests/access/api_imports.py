"""Access-matrix entries for the imports REST API (issue 11).

Whoever may import (everyone in the cast but the consultant, ``importing.can_import``) uploads;
a batch is its uploader's own: anyone else gets 404 for it (the consultant, who may not import
at all, 403), to read it, its rows, its rejected rows, to commit or to discard it."""

from typing import Any

from keyaccount.customers.models import Customer, ImportBatch

from .pages_customers import IMPORT_NAME, IMPORTERS, import_file, kam_import_batch
from .registry import Ctx, api, per_role


def _own(yes: int) -> dict[str, Any]:
    return {**per_role({"kam"}, yes=yes), "consultant": 403}


def _uploaded(ctx: Ctx) -> None:
    if ctx.response.status_code == 201:
        batch = ImportBatch.objects.get(pk=ctx.response.json()["id"])
        assert batch.user == ctx.user and batch.state == ImportBatch.State.PREVIEWED
        assert not Customer.objects.filter(name=IMPORT_NAME).exists()


def _committed(ctx: Ctx) -> None:
    done = Customer.objects.filter(name=IMPORT_NAME).exists()
    assert done == (not ctx.denied)
    if not ctx.denied:
        assert ctx.response.json()["state"] == "done"


def _discarded(ctx: Ctx) -> None:
    assert ImportBatch.objects.filter(pk=ctx.o.batch.pk).exists() == ctx.denied


def _base(c: Any, o: Any) -> str:
    return f"/api/imports/{o.batch.pk}"


IMPORT_API_ROUTES = [
    api(
        "api.imports.upload",
        "/api/imports",
        method="POST",
        body=lambda c, o: {"file": import_file()},
        roles=per_role(IMPORTERS, yes=201, no=403),
        verify=_uploaded,
    ),
    api("api.imports.get", _base, setup=kam_import_batch, roles=_own(200)),
    api(
        "api.imports.rows",
        lambda c, o: f"{_base(c, o)}/rows",
        setup=kam_import_batch,
        roles=_own(200),
    ),
    api(
        "api.imports.rejected",
        lambda c, o: f"{_base(c, o)}/rejected",
        setup=kam_import_batch,
        roles=_own(200),
    ),
    api(
        "api.imports.mapping",
        lambda c, o: f"{_base(c, o)}/mapping",
        setup=kam_import_batch,
        roles=_own(200),
    ),
    api(
        "api.imports.remap",
        lambda c, o: f"{_base(c, o)}/mapping",
        method="PUT",
        body={"sheets": {"": {"columns": {"备注": ""}}}},
        setup=kam_import_batch,
        roles=_own(200),
    ),
    api(
        "api.imports.saved_mappings",
        "/api/import-mappings",
        roles=per_role(IMPORTERS, yes=200, no=403),
    ),
    api(
        "api.imports.commit",
        lambda c, o: f"{_base(c, o)}/commit",
        method="POST",
        body={"skip_errors": False},
        setup=kam_import_batch,
        roles=_own(202),
        verify=_committed,
    ),
    api(
        "api.imports.discard",
        _base,
        method="DELETE",
        setup=kam_import_batch,
        roles=_own(204),
        verify=_discarded,
    ),
]

"""Import customers, contacts, evaluations and opportunities from Excel (.xlsx) and CSV.

parse → validate every row with the rules the services apply → preview → commit.

The format is one workbook (the template, ``build_template``) with a sheet per kind of record:
customers (客户档案), contacts (联系人), comprehensive evaluations (客户综合评估) and
opportunities (商机, with their stage, owner, dates and outcome). A sheet is
recognised by its header row, not by its name, so any sheet may be left out or renamed; a CSV
file holds one of them. Headers are matched in either language.

Nothing here writes until ``commit``: ``preview`` reads the file, checks every cell and matches
every row against the database in a bounded number of queries (no per-row lookups), and returns
a ``Plan`` whose JSON form is kept in an ``ImportBatch`` (the rows, never the file). ``commit``
validates the rows again against the database as it is then and writes them through the
services (``registration_request``, ``customer_update``, ``grade_set``, ``contact_create``,
``contact_update``, ``evaluation_create``) in one transaction: all rows or none.

Matching (what makes a second import of the same file change nothing):

- customers by unified social credit code, then by normalised name (``rules.name_key``), among
  all live customers; a match the importer cannot see is an error naming its owner only (as the
  registration check does); a visible match is updated (blank cells never erase anything);
  an unmatched row becomes a registration request owned by the importer;
- contacts by customer, then name and mobile;
- evaluations by customer, date, scores and summary;
- opportunities by customer and name (an existing deal is never changed by an import).

Where things live (each submodule imports only those above it in this list):

- ``reading``: the size and row limits, ``FileRefusedError``, reading CSV and .xlsx into
  ``Table``\\ s (``read_upload`` → ``ReadResult``), what a file that is no spreadsheet is;
- ``columns``: the kinds of sheet, the ``Column``\\ s of each, their headers in both
  languages, header matching (``header_key``, ``header_index``), export-only columns;
- ``mapping``: how a file is read when it is not the template (kind, columns, values, units
  of amounts per sheet), what the preview says of every header (``Match``), saved mappings;
- ``cells``: parsing a cell for its column (``parse_cell``), regions and industries
  (``References``, ``ref_label``), a value's JSON form and how a preview shows it;
- ``plan``: ``Problem``, ``Row``, ``Sheet``, ``Plan`` (and their JSON form), the actions and
  levels, ``detect_kind`` and ``parse_tables`` (headers recognised, cells parsed);
- ``duplicates``: ``DuplicateIndex``, likely duplicates for thousands of names at once;
- ``matching``: the ``Context`` every row is checked against (loaded in a fixed number of
  queries), a contact's or evaluation's customer, chunked loads, a service's refusal on a row;
- ``customers``, ``contacts``, ``evaluations``, ``opportunities``, ``people``: the planner and
  the commit of each sheet (opportunities through ``pipeline.services.opportunities_import``,
  people and their units through ``org.services``);
- ``batches``: ``preview``, ``plan_sheets``, ``save_batch`` and ``load_batch``;
- ``committing``: ``commit``, all rows or none (rows in error at the preview may be left out);
- ``jobs``: the commit as a background job (``start_commit``, ``run_commit``), its progress
  and result, the rejected rows as a file;
- ``template``: ``build_template``.

The names callers use are re-exported here: ``importing.preview``, ``importing.Plan`` ….
"""

from .batches import (
    BATCH_LIFETIME,
    RESULT_LIFETIME,
    batch_mapping,
    load_batch,
    plan_sheets,
    preview,
    progress_key,
    prune_batches,
    save_batch,
)
from .cells import (
    References,
    choice_key,
    decode_value,
    encode_value,
    parse_cell,
    ref_label,
)
from .columns import (
    COLUMNS,
    CONTACT_COLUMNS,
    CONTACTS,
    CUSTOMER_COLUMNS,
    CUSTOMERS,
    EVALUATION_COLUMNS,
    EVALUATIONS,
    EXPORT_ONLY,
    KINDS,
    MILESTONE_COLUMNS,
    MILESTONES,
    OPPORTUNITIES,
    OPPORTUNITY_COLUMNS,
    PEOPLE,
    PEOPLE_COLUMNS,
    SHEET_TITLES,
    Column,
    export_only_headers,
    header_index,
    header_key,
    model_label,
)
from .committing import COMMITTABLE, Outcome, Progress, commit
from .contacts import plan_contacts
from .customers import plan_customers
from .duplicates import DuplicateIndex
from .evaluations import plan_evaluations
from .jobs import (
    check_job,
    commit_import,
    commit_refusal,
    rejected_export,
    rejected_rows,
    run_commit,
    shown,
    start_commit,
    summary,
)
from .mapping import (
    HOW_LABELS,
    MAPPABLE,
    UNITS,
    Mapping,
    Match,
    SheetMapping,
    column_choices,
    from_saved,
    mappable,
    mapping_problems,
    parse_rate,
    rate_problem,
    save_as,
    saved,
    value_choices,
)
from .matching import Context, CustomerRef, Live
from .opportunities import commit_opportunities, plan_opportunities
from .plan import (
    CREATE,
    ERROR,
    EXAMPLE_CUSTOMER,
    FAILED,
    INFO,
    NOTES_TITLE,
    PAYLOAD_VERSION,
    UNCHANGED,
    UPDATE,
    WARNING,
    Plan,
    Problem,
    Row,
    Sheet,
    action_label,
    detect_kind,
    parse_tables,
)
from .previewing import preview_import, run_preview, start_preview, start_remap
from .reading import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNPACKED,
    MAX_ZIP_ENTRIES,
    CellError,
    FileRefusedError,
    Formula,
    ReadResult,
    Table,
    read_upload,
)
from .template import build_template

__all__ = [
    "BATCH_LIFETIME",
    "COLUMNS",
    "COMMITTABLE",
    "CONTACTS",
    "CONTACT_COLUMNS",
    "CREATE",
    "CUSTOMERS",
    "CUSTOMER_COLUMNS",
    "ERROR",
    "EVALUATIONS",
    "EVALUATION_COLUMNS",
    "EXAMPLE_CUSTOMER",
    "EXPORT_ONLY",
    "FAILED",
    "HOW_LABELS",
    "INFO",
    "KINDS",
    "MAPPABLE",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNPACKED",
    "MAX_ZIP_ENTRIES",
    "MILESTONES",
    "MILESTONE_COLUMNS",
    "NOTES_TITLE",
    "OPPORTUNITIES",
    "OPPORTUNITY_COLUMNS",
    "PAYLOAD_VERSION",
    "PEOPLE",
    "PEOPLE_COLUMNS",
    "RESULT_LIFETIME",
    "SHEET_TITLES",
    "UNCHANGED",
    "UNITS",
    "UPDATE",
    "WARNING",
    "CellError",
    "Column",
    "Context",
    "CustomerRef",
    "DuplicateIndex",
    "FileRefusedError",
    "Formula",
    "Live",
    "Mapping",
    "Match",
    "Outcome",
    "Plan",
    "Problem",
    "Progress",
    "ReadResult",
    "References",
    "Row",
    "Sheet",
    "SheetMapping",
    "Table",
    "action_label",
    "batch_mapping",
    "build_template",
    "check_job",
    "choice_key",
    "column_choices",
    "commit",
    "commit_import",
    "commit_opportunities",
    "commit_refusal",
    "decode_value",
    "detect_kind",
    "encode_value",
    "export_only_headers",
    "from_saved",
    "header_index",
    "header_key",
    "load_batch",
    "mappable",
    "mapping_problems",
    "model_label",
    "parse_cell",
    "parse_rate",
    "parse_tables",
    "plan_contacts",
    "plan_customers",
    "plan_evaluations",
    "plan_opportunities",
    "plan_sheets",
    "preview",
    "preview_import",
    "progress_key",
    "prune_batches",
    "rate_problem",
    "read_upload",
    "ref_label",
    "rejected_export",
    "rejected_rows",
    "run_commit",
    "run_preview",
    "save_as",
    "save_batch",
    "saved",
    "shown",
    "start_commit",
    "start_preview",
    "start_remap",
    "summary",
    "value_choices",
]

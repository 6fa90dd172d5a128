"""What the pipeline journeys do on the opportunity page, shared by them: the action dialogs,
the exit-criteria checklist (manual criteria ticked, evidence criteria met or not), the gate,
forced requests a page would not offer, the charts (tooltips drawn on the canvas) and the phone
layout checks."""

from typing import Any

from playwright.sync_api import Locator, Page, expect

from .test_journey_customers import success_message
from .test_journey_foundation import horizontal_overflow


def open_dialog(page: Page, action: str) -> Locator:
    """Click an action of the opportunity page and wait for its dialog in the modal."""
    page.get_by_test_id(f"action-{action}").click()
    dialog = page.locator("#ka-dialog").get_by_test_id(f"dialog-{action}")
    expect(dialog).to_be_visible()
    return dialog


def close_dialog(page: Page) -> None:
    page.locator("#ka-dialog .btn-close").click()
    expect(page.locator("#ka-dialog")).to_be_hidden()


def criterion_row(page: Page, text: str) -> Locator:
    """The checklist row of the criterion whose text contains ``text``."""
    row = page.get_by_test_id("criterion").filter(has_text=text)
    expect(row).to_have_count(1)
    return row


def check_criterion(page: Page, text: str) -> None:
    """Tick a manual exit criterion in the checklist (htmx swaps its row: who and when
    appear)."""
    row = criterion_row(page, text)
    expect(row.get_by_test_id("criterion-checked-by")).to_have_count(0)
    row.get_by_test_id("criterion-checkbox").check()
    expect(row.get_by_test_id("criterion-checked-by")).to_be_visible()
    expect(row.get_by_test_id("criterion-checkbox")).to_be_checked()


def expect_evidence(page: Page, text: str, *, met: bool, says: str = "") -> Locator:
    """An evidence criterion's row: met or not met by the record, with what it is missing (or
    what met it) and a link to where that is recorded, and never a checkbox."""
    row = criterion_row(page, text)
    expect(row).to_have_attribute("data-evidence", "met" if met else "unmet")
    expect(row.get_by_test_id("evidence-met" if met else "evidence-unmet")).to_be_visible()
    expect(row.get_by_test_id("criterion-checkbox")).to_have_count(0)
    if says:
        expect(row.get_by_test_id("evidence-text")).to_contain_text(says)
    return row


def pass_gate(page: Page, target: str) -> None:
    """Request the gate through the dialog: it is open, shows the target; confirm the move."""
    dialog = open_dialog(page, "move")
    expect(dialog.get_by_test_id("gate-open")).to_be_visible()
    expect(dialog.get_by_test_id("gate-target")).to_contain_text(target)
    dialog.get_by_test_id("gate-confirm").click()
    expect(page.get_by_test_id("stage")).to_contain_text(target)
    expect(success_message(page)).to_be_visible()


def force_post(page: Page, path: str, fields: dict[str, str]) -> int:
    """Submit a plain form the page does not offer (what a user could forge), with the page's
    CSRF token; the browser follows the answer. Returns the answer's status."""
    with page.expect_response(lambda r: r.url.endswith(path) and r.request.method == "POST") as r:
        page.evaluate(
            """([path, fields]) => {
              const form = document.createElement("form");
              form.method = "post";
              form.action = path;
              const token = document.querySelector("input[name=csrfmiddlewaretoken]");
              const all = {...fields, csrfmiddlewaretoken: token ? token.value : ""};
              for (const [name, value] of Object.entries(all)) {
                const input = document.createElement("input");
                input.type = "hidden";
                input.name = name;
                input.value = value;
                form.append(input);
              }
              document.body.append(form);
              form.submit();
            }""",
            [path, fields],
        )
    page.wait_for_load_state()
    return r.value.status


# --- charts -----------------------------------------------------------------------------------

_NODES = """(el) => {
  const chart = window.echarts && window.echarts.getInstanceByDom(el);
  if (!chart) { return null; }
  const data = chart.getModel().getSeriesByIndex(0).getData();
  const nodes = [];
  for (let i = 0; i < data.count(); i++) {
    const shape = data.getItemGraphicEl(i);
    if (!shape || shape.invisible || shape.ignore) { continue; }
    const [x, y] = shape.transformCoordToGlobal(0, 0);
    nodes.push({name: data.getName(i), x: x, y: y});
  }
  return nodes;
}"""

# The tooltip in richText mode is a text element on the chart's own canvas, not HTML.
_TOOLTIP = """(el) => {
  const chart = window.echarts && window.echarts.getInstanceByDom(el);
  const view = chart && chart._componentsViews.find((v) => v && v.type === "tooltip");
  const content = view && view._tooltipContent;
  return content && content._show && content.el ? String(content.el.style.text) : null;
}"""


def chart_nodes(page: Page, chart: Locator) -> list[dict[str, Any]]:
    """The nodes an ECharts tree drew in ``chart`` (its element), with their centres in page
    pixels (after the entry animation)."""
    chart.scroll_into_view_if_needed()
    page.wait_for_function(
        f"(el) => {{ const n = ({_NODES})(el); return n && n.length; }}", arg=chart.element_handle()
    )
    page.wait_for_timeout(400)  # the entry animation moves the nodes into place
    box = chart.bounding_box()
    assert box is not None
    nodes = chart.evaluate(_NODES)
    return [{**n, "x": box["x"] + n["x"], "y": box["y"] + n["y"]} for n in nodes]


def hover_nodes(page: Page, chart: Locator, names: list[str]) -> dict[str, str]:
    """Move the mouse over the named nodes of a chart, one after the other; each must raise
    its tooltip (drawn on the canvas). Returns each node's tooltip text."""
    nodes = {n["name"]: n for n in chart_nodes(page, chart)}
    seen: dict[str, str] = {}
    for name in names:
        assert name in nodes, f"no node {name!r} among {sorted(nodes)}"
        node = nodes[name]
        page.mouse.move(node["x"] + 20, node["y"] + 40)  # off the node first: a fresh hover
        page.mouse.move(node["x"], node["y"], steps=4)
        text = None
        for _ in range(40):
            text = chart.evaluate(_TOOLTIP)
            if text and name in text:
                break
            page.wait_for_timeout(25)
        assert text and name in text, f"hovering {name!r} showed no tooltip (saw {text!r})"
        seen[name] = text
    return seen


def hover_axis(page: Page, chart: Locator, *, at: float = 0.5) -> str:
    """Move the mouse across an axis chart (at ``at`` of its width, mid-height): its tooltip
    must show, drawn on the canvas. Returns the tooltip's text."""
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] * at, box["y"] + box["height"] / 2
    page.mouse.move(x, y - 40)
    page.mouse.move(x, y, steps=4)
    text = None
    for _ in range(40):
        text = chart.evaluate(_TOOLTIP)
        if text:
            break
        page.wait_for_timeout(25)
    assert text, "hovering the chart showed no tooltip"
    return str(text)


def assert_fits_phone(page: Page, what: str) -> None:
    """No sideways scrolling of the page body. A phone browser widens its layout viewport to
    the content instead of overflowing (``innerWidth`` grows with it, so ``scrollWidth -
    innerWidth`` stays 0): the viewport keeping the phone's width is checked too."""
    assert horizontal_overflow(page) <= 1, f"{what} scrolls sideways on a phone"
    width = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert width == [390, 390], f"{what} is wider than the phone: {width}"

"""Read a rendered form the way a browser submits it (for back-office POSTs in tests)."""

from html.parser import HTMLParser


class FormData(HTMLParser):
    """The data a browser would submit for the form with the given id."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def add(self, name: str, value: str) -> None:
        if "__prefix__" not in name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.add(a["name"], a.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], "multiple" in a)
            self._options = []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._text = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            for value in chosen:
                self.add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that directly follows <textarea>.
            self.add(self._textarea, self._text.removeprefix("\r\n").removeprefix("\n"))
            self._textarea = None


def form_data(client, url: str, form_id: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    parser = FormData(form_id)
    parser.feed(response.content.decode())
    assert parser.data, f"no form #{form_id} on {url}"
    return parser.data


def submit(client, url: str, data: dict[str, list[str]]):
    """POST the form as its Save button would."""
    return client.post(url, {**data, "_save": ["Save"]})

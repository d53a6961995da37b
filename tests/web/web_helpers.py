"""Reading pages as a browser would: parsed HTML, the CSRF field, a form's values; counting the SQL a page sends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from classify.taxonomy import load_taxonomy
from pilah import PROJECT_ROOT

#: The version of the taxonomy the app offers categories from (the test settings' data_dir): what labels record.
TAXONOMY_VERSION = load_taxonomy(PROJECT_ROOT / "data" / "taxonomy.toml").version


def html(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def csrf_of(client: TestClient, path: str) -> str:
    """The CSRF token of the session, read from a form on the page as a browser would."""
    page = html(client.get(path))
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None, f"no CSRF field on {path}"
    return field["value"]


def form_values(page: BeautifulSoup, form_id: str) -> dict[str, str]:
    """What a browser would submit unchanged: inputs (checkboxes only when checked), selected options, textareas."""
    form = page.find("form", id=form_id)
    assert form is not None, f"no form #{form_id}"
    values = {field["name"]: field.get("value", "") for field in form.find_all("input") if field.get("name")
              and (field.get("type") not in ("checkbox", "radio") or field.has_attr("checked"))}
    for select in form.find_all("select", attrs={"name": True}):
        chosen = select.find("option", selected=True) or select.find("option")
        if chosen is not None:
            values[select["name"]] = chosen.get("value", chosen.get_text())
    values |= {area["name"]: area.get_text() for area in form.find_all("textarea", attrs={"name": True})}
    return values


@contextmanager
def statements_naming(word: str) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs whose text names ``word`` (e.g. a table)."""
    found: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if word in statement.lower():
            found.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield found
    finally:
        event.remove(Engine, "before_cursor_execute", count)

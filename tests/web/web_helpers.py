"""Reading pages as a browser would: parsed HTML, the CSRF field, a form's values."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient


def html(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def csrf_of(client: TestClient, path: str) -> str:
    """The CSRF token of the session, read from a form on the page as a browser would."""
    page = html(client.get(path))
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None, f"no CSRF field on {path}"
    return field["value"]


def form_values(page: BeautifulSoup, form_id: str) -> dict[str, str]:
    form = page.find("form", id=form_id)
    assert form is not None, f"no form #{form_id}"
    return {field["name"]: field.get("value", "") for field in form.find_all("input") if field.get("name")}

"""Finding every translatable string in the web app (code and templates) with Babel's extractors.

Used by `tests/web/test_i18n.py` (every string must be in the English catalog) and by a
maintainer refreshing the catalog: `python -m pilah.web.catalog` prints the missing msgids.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from pilah.web.i18n import LOCALE_DIR

WEB_DIR = Path(__file__).resolve().parent
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]


def extracted_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB_DIR), method_map=METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {
            "extensions": "jinja2.ext.i18n"}}
    ):
        found.update(message if isinstance(message, tuple) else (message,))
    return {m for m in found if m}


def catalog_messages(language: str = "en") -> dict[str, str]:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


if __name__ == "__main__":
    have = catalog_messages() if (LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").exists() else {}
    for message in sorted(extracted_messages() - set(have)):
        print(message)

"""The app for `uvicorn pilah.web.asgi:app` and multi-worker `pilah serve` (settings from env/pilah.toml)."""

from pilah.settings import load_settings
from pilah.web import create_app

app = create_app(load_settings())

"""The `[web]` section of pilah.toml: the staff web application and its JSON API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WebSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

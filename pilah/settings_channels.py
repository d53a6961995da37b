"""The `[channels]` section of pilah.toml: which accounts, pages and gateways to collect from.

Credentials are not here: they come only from PILAH_* environment variables (see Settings).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ChannelSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

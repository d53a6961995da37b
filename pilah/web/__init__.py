"""The staff web application: review queue, OPD follow-up, dashboard, JSON API."""

from pilah.web.app import create_app

__all__ = ["create_app"]

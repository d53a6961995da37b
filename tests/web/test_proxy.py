"""Behind a reverse proxy on another machine: `pilah serve` believes the X-Forwarded-* headers of the
addresses `[web] forwarded_allow_ips` names, so links, forms and secure cookies say https."""

from __future__ import annotations

from click.testing import CliRunner

from pilah.cli import main


def test_serve_hands_uvicorn_the_proxies_it_may_believe(monkeypatch, settings, database_url, engine) -> None:
    seen: dict = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: seen.update(options))
    monkeypatch.setenv("PILAH_WEB__FORWARDED_ALLOW_IPS", "10.0.0.5")
    monkeypatch.setenv("PILAH_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    assert (seen["forwarded_allow_ips"], seen["proxy_headers"]) == ("10.0.0.5", True)

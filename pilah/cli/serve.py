"""`pilah serve`: the staff web application under uvicorn."""

from __future__ import annotations

import click

from pilah.settings import Settings

#: Addresses only this computer reaches: plain HTTP there is no risk to the session cookie.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@click.command()
@click.option("--host", help="Alamat yang didengarkan (default: web.host). Address to listen on.")
@click.option("--port", type=int, help="Port TCP (default: web.port).")
@click.option("--workers", type=int, help="Jumlah proses uvicorn (default: web.workers).")
@click.pass_obj
def serve(settings: Settings, host: str | None, port: int | None, workers: int | None) -> None:
    """Jalankan aplikasi web petugas. Start the staff web application (needs PILAH_SECRET_KEY).

    Example: PILAH_SECRET_KEY=... pilah serve --port 8000
    """
    import uvicorn

    from pilah.db import engine_of, refresh_planner_statistics
    from pilah.web import create_app

    app = create_app(settings)  # fails here, before listening, on a missing key or an old schema
    # Once here rather than in every worker: a database that never ran `pilah batch` has no statistics yet.
    refresh_planner_statistics(engine_of(app.state.factory))
    count = workers or settings.web.workers
    listen = host or settings.web.host
    click.echo(f"pilah: http://{listen}:{port or settings.web.port}/antrian")
    if listen not in LOCAL_HOSTS and not settings.web.secure_cookies:
        click.echo("Peringatan: secure_cookies = false, cookie sesi juga dikirim lewat HTTP biasa; di balik HTTPS "
                   "setel [web] secure_cookies = true. / Warning: session cookies also travel over plain HTTP; "
                   "behind HTTPS set [web] secure_cookies = true.", err=True)
    proxy = {"proxy_headers": True, "forwarded_allow_ips": settings.web.forwarded_allow_ips}
    if count > 1:
        uvicorn.run("pilah.web.asgi:app", host=listen, port=port or settings.web.port,
                    workers=count, factory=False, log_level="info", **proxy)
        return
    uvicorn.run(app, host=listen, port=port or settings.web.port, log_level="info", **proxy)

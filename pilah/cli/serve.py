"""`pilah serve`: the staff web application under uvicorn."""

from __future__ import annotations

import click

from pilah.settings import Settings


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
    click.echo(f"pilah: http://{host or settings.web.host}:{port or settings.web.port}/antrian")
    if count > 1:
        uvicorn.run("pilah.web.asgi:app", host=host or settings.web.host, port=port or settings.web.port,
                    workers=count, factory=False, proxy_headers=True, log_level="info")
        return
    uvicorn.run(app, host=host or settings.web.host, port=port or settings.web.port, proxy_headers=True,
                log_level="info")

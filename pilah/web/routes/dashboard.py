"""The dashboard (`/dasbor`): the published statistics for a period, charts, CSV/XLSX downloads.

The statistics are counts only (no post text, no authors), so downloads are the same for every
role allowed here; nothing personal leaves through them.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from pilah.schema import User
from pilah.web import directory
from pilah.web.charts import bar_chart
from pilah.web.deps import current_user, get_db, now
from pilah.web.errors import NotFound
from pilah.web.forms import FieldErrors, in_order, parse_day
from pilah.web.i18n import gettext
from pilah.web.templating import render
from triage.report_files import EXCEL_CSV_ENCODING, render_csv, render_xlsx, report_rows
from triage.statistics import Statistics, compute_statistics, period_bounds, sla_moment

router = APIRouter(prefix="/dasbor")


def _period(request: Request, errors: FieldErrors) -> tuple[date, date]:
    today = now(request).astimezone(request.app.state.settings.zone).date()
    start = parse_day(request.query_params.get("from", ""), "from", errors) or today.replace(day=1)
    end = parse_day(request.query_params.get("to", ""), "to", errors) or today
    return (start, end) if in_order(start, end, errors) else (end, start)


def _statistics(request: Request, db: Session, start: date, end: date) -> Statistics:
    start_at, end_at = period_bounds(start, end, request.app.state.settings.zone)
    return compute_statistics(db, start=start_at, end=end_at, top_n=request.app.state.settings.top_n,
                              now=sla_moment(end_at, now(request)))


@router.get("", name="dashboard.show")
def dashboard(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    errors = FieldErrors()
    start, end = _period(request, errors)
    stats = _statistics(request, db, start, end)
    return render(request, "dashboard/show.html", {"stats": stats, "start": start, "end": end,
                                                    "charts": _charts(request, stats), "errors": errors.errors},
                  status_code=400 if errors else 200)


def _charts(request: Request, stats: Statistics) -> list:
    labels = _category_labels(request)
    return [
        bar_chart(gettext("Kategori terbanyak"),
                  [(labels.get(r.code, r.label), r.count) for r in stats.top_categories]),
        bar_chart(gettext("Kecamatan dengan laporan terbanyak"), [(r.label, r.count) for r in stats.top_kecamatan]),
        bar_chart(gettext("OPD penerima disposisi terbanyak"),
                  [(o.name, o.dispositioned, o.done) for o in stats.top_opds],
                  legend=(gettext("didisposisikan"), gettext("selesai"))),
    ]


@router.get("/unduh.{fmt}", name="dashboard.download")
def download(request: Request, fmt: str, db: Session = Depends(get_db), user: User = Depends(current_user)):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    start, end = _period(request, FieldErrors())
    rows = report_rows(_statistics(request, db, start, end), labels=_category_labels(request))
    name = f"rekapitulasi-{start.isoformat()}-{end.isoformat()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(render_csv(rows).encode(EXCEL_CSV_ENCODING), media_type="text/csv; charset=utf-8",
                        headers=headers)
    return Response(render_xlsx(rows, gettext("Rekapitulasi pengaduan")), headers=headers,
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _category_labels(request: Request) -> dict[str, str]:
    """Category slug → its label in the reader's language, for the charts and the downloads alike."""
    return {code: category.label for code, category in directory.categories(request.app.state.settings.data_dir)
            .items()}

"""What the web app answers when something goes wrong: a status, a stable code, a message id.

Handlers raise these; `pilah.web.app` renders them as a page in the user's language (or JSON
under /api and /open311). Messages are Indonesian msgids translated through the catalog.
"""

from __future__ import annotations

from pilah.web.i18n import N_


class WebError(Exception):
    status = 500
    code = "internal_error"
    message = N_("Terjadi kesalahan pada server.")

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.message)
        self.detail = detail


class BadRequest(WebError):
    status, code, message = 400, "bad_request", N_("Permintaan tidak valid.")


class LoginRequired(WebError):
    status, code, message = 401, "login_required", N_("Silakan masuk terlebih dahulu.")


class Forbidden(WebError):
    status, code, message = 403, "forbidden", N_("Peran Anda tidak diizinkan membuka halaman ini.")


class CsrfFailed(WebError):
    status, code = 403, "csrf_failed"
    message = N_("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman dan coba lagi.")


class NotFound(WebError):
    status, code, message = 404, "not_found", N_("Halaman atau laporan tidak ditemukan.")


class Conflict(WebError):
    status, code, message = 409, "conflict", N_(
        "Laporan ini baru saja diubah oleh orang lain. Periksa keadaan terkini di bawah lalu ulangi tindakan Anda."
    )


class Throttled(WebError):
    status, code, message = 429, "login_throttled", N_(
        "Terlalu banyak percobaan masuk yang gagal. Coba lagi setelah beberapa menit."
    )


STATUS_MESSAGES = {
    400: BadRequest.message,
    401: LoginRequired.message,
    403: Forbidden.message,
    404: NotFound.message,
    405: N_("Metode tidak diizinkan untuk alamat ini."),
    409: Conflict.message,
    422: BadRequest.message,
    429: Throttled.message,
    500: WebError.message,
}

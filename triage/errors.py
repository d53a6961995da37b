"""Triage errors: a small vocabulary with stable codes and messages in Indonesian and English.

The shell turns these into flash messages, HTTP 409/422 responses or exit codes; the codes are
what logs, tests and documentation refer to.
"""

from __future__ import annotations


class TriageError(Exception):
    """Base for every refusal triage makes; `message_id` is shown to staff, `message_en` beside it."""

    code = "triage_error"

    def __init__(self, message_id: str, message_en: str) -> None:
        super().__init__(f"{message_id} / {message_en}")
        self.message_id = message_id
        self.message_en = message_en

    def __str__(self) -> str:
        return f"[{self.code}] {self.message_id} / {self.message_en}"


class IllegalTransition(TriageError):
    """A status change the lifecycle does not allow (e.g. baru → selesai)."""

    code = "illegal_transition"

    def __init__(self, report_id: int, from_status: str, to_status: str) -> None:
        super().__init__(
            f"Laporan #{report_id} tidak dapat diubah dari '{from_status}' ke '{to_status}'.",
            f"Report #{report_id} cannot move from '{from_status}' to '{to_status}'.",
        )
        self.report_id, self.from_status, self.to_status = report_id, from_status, to_status


class VersionConflict(TriageError):
    """Someone else saved the report after it was opened; nothing was overwritten."""

    code = "version_conflict"

    def __init__(self, report_id: int, expected: int | None, actual: int | None) -> None:
        super().__init__(
            f"Laporan #{report_id} sudah diubah oleh petugas lain. Muat ulang lalu ulangi perubahan Anda.",
            f"Report #{report_id} was changed by someone else. Reload it and make your change again.",
        )
        self.report_id, self.expected, self.actual = report_id, expected, actual


class UnknownOpd(TriageError):
    """A disposition or routing rule names an OPD code that is not in the directory (or is inactive)."""

    code = "unknown_opd"

    def __init__(self, opd_code: str) -> None:
        super().__init__(
            f"OPD '{opd_code}' tidak terdaftar atau tidak aktif (lihat data/opd.toml).",
            f"OPD '{opd_code}' is not in the directory or is inactive (see data/opd.toml).",
        )
        self.opd_code = opd_code


class DirectoryInvalid(TriageError):
    """data/opd.toml, data/routing.toml or data/taxonomy.toml say something that cannot be loaded."""

    code = "directory_invalid"

    def __init__(self, path: str, problem_id: str, problem_en: str) -> None:
        super().__init__(f"{path}: {problem_id}", f"{path}: {problem_en}")
        self.path = path


class CalendarInvalid(TriageError):
    """A holiday file in data/holidays/ cannot be read."""

    code = "calendar_invalid"

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"Berkas hari libur {path} tidak valid: {problem}",
                         f"Holiday file {path} is invalid: {problem}")
        self.path = path


class ReportNotFound(TriageError):
    """A report id that is not in the database."""

    code = "report_not_found"

    def __init__(self, report_id: int) -> None:
        super().__init__(f"Laporan #{report_id} tidak ditemukan.", f"Report #{report_id} does not exist.")
        self.report_id = report_id


class IssueSplitRefused(TriageError):
    """A second issue cannot be split off this report (status, category, or it is itself a split)."""

    code = "issue_split_refused"

    def __init__(self, report_id: int, problem_id: str, problem_en: str) -> None:
        super().__init__(f"Laporan #{report_id} tidak dapat dipisah: {problem_id}.",
                         f"Report #{report_id} cannot be split: {problem_en}.")
        self.report_id = report_id

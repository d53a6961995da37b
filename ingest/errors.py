"""Ingest errors. Item-level problems are quarantined, not raised; these stop a whole run."""

from __future__ import annotations


class IngestError(Exception):
    """Base for errors that stop an import or a collector run."""

    code = "ingest_error"


class UnknownFormat(IngestError):
    """The caller named a file format pilah does not read."""

    code = "unknown_format"


class SourceUnreadable(IngestError):
    """The file or endpoint could not be read at all (missing, permissions, not a file)."""

    code = "source_unreadable"

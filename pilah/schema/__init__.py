"""The tables. Import models from here; Alembic reads `Base.metadata`."""

from pilah.schema.base import Base, UTCDateTime, utcnow
from pilah.schema.channel import CHANNELS, ChannelPayload, Checkpoint, CollectorRun, Post, QuarantinedItem
from pilah.schema.directory import Opd, RoutingRule, RoutingRuleChange
from pilah.schema.learning import Label, ModelVersion
from pilah.schema.reports import AuditEvent, Disposition, FollowUp, Report, ReportFlag, ReportStatus
from pilah.schema.users import ROLES, User

__all__ = [
    "CHANNELS", "ROLES", "AuditEvent", "Base", "ChannelPayload", "Checkpoint", "CollectorRun",
    "Disposition", "FollowUp", "Label", "ModelVersion", "Opd", "Post", "QuarantinedItem", "Report",
    "ReportFlag", "ReportStatus", "RoutingRule", "RoutingRuleChange", "UTCDateTime", "User", "utcnow",
]

"""The tables. Import models from here; Alembic reads `Base.metadata`."""

from pilah.schema.base import Base, UTCDateTime, utcnow
from pilah.schema.channel import CHANNELS, ChannelPayload, Checkpoint, CollectorRun, Post, QuarantinedItem
from pilah.schema.directory import Opd, RoutingRule, RoutingRuleChange
from pilah.schema.learning import Label, ModelVersion
from pilah.schema.operations import ApiToken, LoginAttempt, OutboxMessage, SchedulerJob, SchedulerLock
from pilah.schema.reports import AuditEvent, Disposition, FollowUp, Report, ReportFlag, ReportStatus
from pilah.schema.users import ROLES, User

__all__ = [
    "CHANNELS",
    "ROLES",
    "ApiToken",
    "AuditEvent",
    "Base",
    "ChannelPayload",
    "Checkpoint",
    "CollectorRun",
    "Disposition",
    "FollowUp",
    "Label",
    "LoginAttempt",
    "ModelVersion",
    "Opd",
    "OutboxMessage",
    "Post",
    "QuarantinedItem",
    "Report",
    "ReportFlag",
    "ReportStatus",
    "RoutingRule",
    "RoutingRuleChange",
    "SchedulerJob",
    "SchedulerLock",
    "UTCDateTime",
    "User",
    "utcnow",
]

"""Every domain's models, imported so that Base.metadata (and Alembic) sees them all."""

from app.accounts.models import AuthSession, RecoveryCode, RefreshToken, User
from app.chat.models import Conversation, Message
from app.db import Base
from app.groups.models import Category, Group, GroupMembership
from app.moderation.models import Appeal, AuditEntry, Notice, PostLock, Report, ReportCase
from app.notifications.models import Notification
from app.posts.models import Comment, Post, Reaction
from app.profiles.models import Profile
from app.safety.models import Block, Mute, PersonalFilter, SafetyPlan

__all__ = [
    "Appeal",
    "AuditEntry",
    "AuthSession",
    "Base",
    "Block",
    "Category",
    "Comment",
    "Conversation",
    "Group",
    "GroupMembership",
    "Message",
    "Mute",
    "Notice",
    "Notification",
    "PersonalFilter",
    "Post",
    "PostLock",
    "Profile",
    "Reaction",
    "RecoveryCode",
    "RefreshToken",
    "Report",
    "ReportCase",
    "SafetyPlan",
    "User",
]

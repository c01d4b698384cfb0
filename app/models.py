"""Every domain's models, imported so that Base.metadata (and Alembic) sees them all."""

from app.accounts.models import AuthSession, RecoveryCode, RefreshToken, User
from app.chat.models import Conversation, Message
from app.db import Base
from app.groups.models import Category, Group, GroupMembership
from app.notifications.models import Notification
from app.posts.models import Comment, Post, Reaction
from app.profiles.models import Profile
from app.safety.models import Block, SafetyPlan

__all__ = [
    "AuthSession",
    "Base",
    "Block",
    "Category",
    "Comment",
    "Conversation",
    "Group",
    "GroupMembership",
    "Message",
    "Notification",
    "Post",
    "Profile",
    "Reaction",
    "RecoveryCode",
    "RefreshToken",
    "SafetyPlan",
    "User",
]

"""Every domain's models, imported so that Base.metadata (and Alembic) sees them all."""

from app.accounts.models import AuthSession, RefreshToken, User
from app.db import Base
from app.groups.models import Category, Group, GroupMembership
from app.profiles.models import Profile
from app.safety.models import Block

__all__ = [
    "AuthSession",
    "Base",
    "Block",
    "Category",
    "Group",
    "GroupMembership",
    "Profile",
    "RefreshToken",
    "User",
]

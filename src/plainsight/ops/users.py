"""Users of the web app: a name, a role and an argon2 password hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from plainsight.ops.models import Base

ROLES = ("viewer", "analyst", "investigator", "supervisor", "admin")
"""Every role. Viewer, analyst, investigator and supervisor run from least to most trusted,
each may do what those before it may; admin stands apart (users and settings, no casework)."""

CASEWORK = ("analyst", "investigator", "supervisor")
"""Roles that see personal data, and so must name their line of enquiry first."""


class User(Base):
    """One person who may sign in to the web app."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


def role_allows(role: str, needed: str | None) -> bool:
    """Whether ``role`` may do what ``needed`` may (None: any signed-in user).

    Admin may do only what needs admin, and only admin may; among the others a more
    trusted role may do what a less trusted one may.
    """
    if role not in ROLES:
        return False
    if needed is None:
        return True
    if needed not in ROLES:
        return False
    if "admin" in (role, needed):
        return role == needed
    return ROLES.index(role) >= ROLES.index(needed)


def by_name(session: Session, name: str) -> User | None:
    """The user called ``name``, if any."""
    return session.scalars(select(User).where(User.name == name)).first()


def all_users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.scalars(select(User).order_by(User.name)))

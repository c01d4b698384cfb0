"""An index behind every moderation list query: the queue and the audit log stay fast."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from app.accounts.models import User
from app.moderation import audit
from app.moderation import service as moderation
from app.moderation.deps import Moderator
from app.moderation.models import Action
from tests.plans import full_scans, query_plan

SITE = Moderator(user=User(id=1), site=True, groups=frozenset())
GROUPS = Moderator(user=User(id=1), site=False, groups=frozenset({3, 4}))


def _sorts_or_reads_everything(plan: list[str]) -> list[str]:
    """SQLite walking the rowid backwards says "SCAN"; only a sort of all rows is bad there."""
    return [line for line in plan if "TEMP B-TREE" in line or "Seq Scan on audit_entries" in line]


@pytest.mark.parametrize(
    "query",
    [
        moderation.queue_query(SITE, cursor=None, limit=21),
        moderation.queue_query(SITE, cursor=(1010, 55), limit=21),
        moderation.queue_query(GROUPS, cursor=None, limit=21),
        audit.log_query(audit.LogFilter(action=Action.post_removed), cursor=None, limit=51),
        audit.log_query(audit.LogFilter(target_type="post", target_id=7), cursor=None, limit=51),
    ],
    ids=["queue", "queue-page", "queue-groups", "log-action", "log-target"],
)
async def test_moderation_lists_use_an_index(app: FastAPI, query: Any) -> None:
    plan = await query_plan(app, query)
    assert plan and not full_scans(plan, "report_cases", "audit_entries"), "\n".join(plan)


@pytest.mark.parametrize("cursor", [None, 900])
async def test_the_whole_log_is_read_newest_first_without_sorting(
    app: FastAPI, cursor: int | None
) -> None:
    """Unfiltered, the log walks its primary key backwards and stops at the page size."""
    plan = await query_plan(app, audit.log_query(audit.LogFilter(), cursor=cursor, limit=51))
    assert plan and not _sorts_or_reads_everything(plan), "\n".join(plan)

"""The quota when the standing committee decides (tỷ lệ khi Ban Thường vụ quyết định).

The council's proposals keep to the quota (`workflow.scoring.engine.apply_quota`), but the
committee may decide another level for any head. Its decisions are therefore counted again, scope
by scope, as they stand (a head not decided yet counts at the level proposed): where more heads
are decided at the quota's level than the quota allows, the committee records an exception with
its reason and legal basis (`QuotaException`), or the decisions cannot be published.

What lives elsewhere: recording an exception (`operations.record_quota_exception`), the refusal
to publish (`workflow.SESSION`), the counting itself (`workflow.scoring.engine.quota_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select

from workflow.core import formats
from workflow.council import queries
from workflow.council.models import CouncilSession, QuotaException
from workflow.council.proposals import heads_of
from workflow.council.rules import council_tracks, rubric_of
from workflow.extensions import db
from workflow.framework.rules import HEADS
from workflow.scoring.engine import QuotaCount, quota_counts


@dataclass(frozen=True)
class ScopeQuota:
    """The quota in one scope of the committee's decisions, with the exception recorded for it."""

    group_id: int | None  # None: every head of the track is counted together
    name: str
    track: str
    count: QuotaCount
    exception: QuotaException | None  # the latest one recorded for this scope

    @property
    def covered(self) -> bool:
        """An exception covers every head now decided at the quota's level."""
        return self.exception is not None and self.exception.heads >= self.count.count

    @property
    def needs_exception(self) -> bool:
        return self.count.exceeded and not self.covered


def scopes(session: CouncilSession) -> list[ScopeQuota]:
    """Every scope of the finalised list, track by track (the heads' first), in the order of the
    list (three statements, and two per track)."""
    cycle = session.cycle
    frozen = queries.frozen_proposals(session) if session.round else {}
    decided = queries.latest_decisions(cycle.id)
    exceptions = {(e.track, e.group_id): e for e in db.session.scalars(
        select(QuotaException).where(QuotaException.session_id == session.id).order_by(QuotaException.id))}
    tracks = {t.code: t for t, _ in queries.council_track_plans(cycle)}
    out = []
    for track in council_tracks(cycle):
        heads = [h for h in heads_of(cycle.id, track) if h.registration_id in frozen]
        if not heads:
            continue
        rubric = rubric_of(cycle, track)
        names = {str(h.group_id): h.group_name for h in heads}
        # Scopes are counted by the group's id (names may repeat); every head has the same agency,
        # the committee that classifies them all.
        levels = [("", str(h.group_id), decided[h.registration_id].level if h.registration_id in decided else frozen[h.registration_id].level)
                  for h in heads]
        label = "" if track == HEADS or track not in tracks else f"{tracks[track].name_vi} — "
        for count in quota_counts(levels, rubric):
            group_id = int(count.scope[1]) if len(count.scope) > 1 else None
            name = names[count.scope[1]] if group_id is not None else (gettext("All heads of the cycle") if track == HEADS else gettext("All of the track"))
            out.append(ScopeQuota(group_id, label + name, track, count, exceptions.get((track, group_id))))
    return out


def exceeded_message(scope: ScopeQuota, level_name: str) -> str:
    count = scope.count
    return gettext(
        "%(scope)s: %(count)s heads decided as %(level)s, more than the %(percent)s%% quota allows (%(allowance)s of %(base)s).",
        scope=scope.name, count=count.count, level=level_name, percent=formats.number(count.percent), allowance=count.allowance, base=count.base,
    )


def missing_exceptions(session: CouncilSession, of: list[ScopeQuota]) -> str | None:
    """What the committee must do about the scopes of `of` over the quota without an exception,
    with the figures; None when there are none."""
    missing = [s for s in of if s.needs_exception]
    if not missing:
        return None
    from workflow.council.presenters import level_name

    return " ".join([*(exceeded_message(s, level_name(rubric_of(session.cycle, s.track), s.count.level)) for s in missing), gettext("Record the exception (its reason and legal basis) before publishing.")])


def publish_refusal(session: CouncilSession) -> str | None:
    """Why the decisions cannot be published as they stand: a scope over the quota without an
    exception recorded."""
    return missing_exceptions(session, scopes(session))


def scope_of(session: CouncilSession, group_id: int | None, track: str = HEADS) -> ScopeQuota | None:
    by_group = rubric_of(session.cycle, track).quota.scope == "group"
    return next((s for s in scopes(session) if s.track == track and s.group_id == (group_id if by_group else None)), None)

"""The top navigation: one entry per area of work, and in it the pages the person may open.

An area in which the person may open one page is a plain link; an area with several becomes a
menu, so that every entry stays on one line at 1366 px for every role. Each page: (endpoint, label
on its own, label inside a menu, who sees it). An endpoint that is a blueprint's `index` also
stays highlighted on that blueprint's other pages, unless one of them has an entry of its own.
Administrators find the citizens' ratings and the civil servants' months under Administration:
their bar has no room for Evaluation to become a menu.

Built here rather than in the template because every page shows it: only the labels shown are
translated, and each permission is asked once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from workflow import policy

Shown = Callable[["_Asker"], bool]


class _Asker:
    """The person's permissions, each asked of the policy at most once for the bar."""

    def __init__(self, person: Any) -> None:
        self.person = person
        self.head = bool(person.head_unit_ids)
        self._answers: dict[str, bool] = {}

    def can(self, action: str) -> bool:
        answer = self._answers.get(action)
        if answer is None:
            answer = self._answers[action] = policy.can(self.person, action)
        return answer


def _can(*actions: str) -> Shown:
    return lambda who: any(who.can(a) for a in actions)


def _head(who: _Asker) -> bool:
    return who.head


def _always(who: _Asker) -> bool:
    return True


def _for_admins(action: str, admins: bool) -> Shown:
    return lambda who: who.can(action) and who.can("admin.view") == admins


AREAS: list[tuple[Any, str, list[tuple[str, Any, Any, Shown]]]] = [
    (_l("Home"), "bi-house", [("dashboard.index", _l("Home"), _l("Home"), _always)]),
    (_l("Targets"), "bi-clipboard-check", [
        ("targets.mine", _l("My targets"), _l("My registration"), _head),
        ("targets.index", _l("Registrations"), _l("Registrations of every unit"), _can("registration.list")),
    ]),
    (_l("Reports"), "bi-journal-check", [
        ("reports.mine", _l("My reports"), _l("My reports"), _head),
        ("reports.monitor", _l("Quarterly reports"), _l("Report monitoring"), _can("report.monitor")),
    ]),
    (_l("Evaluation"), "bi-award", [
        ("monthly.mine", _l("This month"), _l("This month"), lambda who: who.person.unit_id is not None and not who.head),
        ("council.my_results", _l("My results"), _l("My evaluation"), _head),
        ("selfscoring.mine", _l("Self-scoring"), _l("Our collective's monthly self-scoring"), _can("selfscoring.score")),
        ("selfscoring.waiting", _l("Self-scoring to recognise"), _l("Self-scoring to recognise"), _can("selfscoring.recognise")),
        ("council.index", _l("Council"), _l("Advisory council"), _can("council.view")),
        ("ratings.dashboard", _l("Citizens' ratings"), _l("Citizens' ratings at the counter"), _for_admins("ratings.province.view", False)),
        ("monthly.dashboard", _l("Civil servants' months"), _l("Civil servants' months and levels"),
         _for_admins("monthly.province.view", False)),
        ("votes.index", _l("Confidence votes"), _l("Confidence votes"), _can("vote.round.manage", "vote.follow_up.record")),
        ("opinions.index", _l("Opinions"), _l("Opinions from above and below"), _can("opinions.round.manage", "vote.follow_up.record")),
    ]),
    (_l("Administration"), "bi-gear", [
        ("admin.index", _l("Administration"), _l("Units, people and cycles"), _can("admin.view")),
        ("ratings.dashboard", _l("Citizens' ratings"), _l("Citizens' ratings at the counter"), _for_admins("ratings.province.view", True)),
        ("monthly.catalogue", _l("Product catalogue"), _l("Product catalogue"), _can("admin.view")),
        ("monthly.dashboard", _l("Civil servants' months"), _l("Civil servants' months and levels"),
         _for_admins("monthly.province.view", True)),
        ("outbox.index", _l("Outbox"), _l("Outbox"), _can("notifications.view")),
        ("admin.audit_log", _l("Audit log"), _l("Audit log"), _can("admin.audit.view")),
    ]),
]
ENDPOINTS = frozenset(endpoint for _, _, pages in AREAS for endpoint, *_ in pages)


@dataclass(frozen=True)
class Entry:
    endpoint: str
    label: str
    current: bool


@dataclass(frozen=True)
class Area:
    """An area as the bar shows it: a plain link when `menu` is False (its one entry), else a menu."""

    label: str
    icon: str
    entries: list[Entry]
    menu: bool

    @property
    def current(self) -> bool:
        return any(e.current for e in self.entries)


def _is_current(endpoint: str, here: str | None, blueprint: str | None) -> bool:
    if endpoint == here:
        return True
    return here not in ENDPOINTS and endpoint.endswith(".index") and blueprint == endpoint.rsplit(".", 1)[0]


def areas(person: Any, here: str | None, blueprint: str | None) -> list[Area]:
    """The areas the person sees on the page of the endpoint `here` (in `blueprint`), in order."""
    who = _Asker(person)
    shown: list[Area] = []
    for label, icon, pages in AREAS:
        visible = [(endpoint, alone, in_menu) for endpoint, alone, in_menu, see in pages if see(who)]
        if not visible:
            continue
        menu = len(visible) > 1
        entries = [Entry(endpoint, str(in_menu if menu else alone), _is_current(endpoint, here, blueprint))
                   for endpoint, alone, in_menu in visible]
        shown.append(Area(str(label), icon, entries, menu))
    return shown

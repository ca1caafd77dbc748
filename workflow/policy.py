"""Who may do what: every permission rule of the application, in one table.

`can(actor, action, obj)` is asked by views, templates (to show or hide buttons), the API and
workflow steps alike; `require` raises PermissionDenied. A rule is a small function of the actor
and the object. Asking about an action without a rule is a programming error, not a refusal.
Rules answer *who*; whether the object's state allows the step is the workflow's business.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext

from workflow.accounts.models import Person, Role
from workflow.core.errors import PermissionDenied

Rule = Callable[[Person, Any], bool]
_RULES: dict[str, Rule] = {}


def rule(*actions: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for action in actions:
            if action in _RULES:
                raise ValueError(f"policy rule for {action!r} declared twice")
            _RULES[action] = fn
        return fn

    return register


def can(actor: Any, action: str, obj: Any = None) -> bool:
    try:
        check = _RULES[action]
    except KeyError:
        raise LookupError(f"no policy rule for action {action!r}") from None
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return bool(check(actor, obj))


def require(actor: Any, action: str, obj: Any = None) -> None:
    if not can(actor, action, obj):
        raise PermissionDenied(gettext("You are not allowed to do this."))


def actions() -> list[str]:
    return sorted(_RULES)


# --- everyone signed in --------------------------------------------------------------------

@rule("dashboard.view", "unit.view", "account.tokens.manage", "account.profile.edit")
def _signed_in(actor: Person, obj: Any) -> bool:
    return True


# --- administration --------------------------------------------------------------------------

@rule("admin.audit.view", "admin.accounts.manage", "admin.units.manage", "admin.cycles.manage")
def _admin(actor: Person, obj: Any) -> bool:
    return actor.has_role(Role.ADMIN)


# --- outbox and scheduler --------------------------------------------------------------------

@rule("notifications.view", "notifications.retry", "notifications.cancel", "notifications.test")
def _outbox_admin(actor: Person, obj: Any) -> bool:
    return actor.has_role(Role.ADMIN)

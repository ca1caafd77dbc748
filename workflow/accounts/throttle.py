"""Sign-in throttling: slow password guessing down without letting anyone lock a colleague out.

Three counts of failed sign-ins, kept in the rate-limit storage (`workflow.core.ratelimit`: the
application's database by default, so every worker of every instance counts together; Redis if
`ratelimit_storage_uri` says so):

- **per address** (`login_limit_per_address`, 20 per 10 minutes): one machine trying many
  accounts. Past the limit that address is refused (429) until its window ends.
- **per account and address** (`login_limit_per_account`, 5 per 15 minutes): one machine
  guessing one account. Past the limit *that machine* is refused for that account; the owner
  signing in from their own machine is not, so a colleague who knows a username cannot lock its
  owner out by typing wrong passwords.
- **per account, across addresses** (the same window): guessing one account from many machines.
  This count never refuses anyone by itself. Once the account has had as many failures as the
  per-account limit allows, each address that fails on it must wait before its next try on that
  account: `login_backoff_seconds` at first, doubling with every further failure of the account,
  at most `login_backoff_max_seconds`. An address that has not failed on the account meanwhile
  never waits, so the owner's first try always goes through, and after a typo the owner waits at
  most the maximum; a guesser gets one try per address per wait.

An attempt is counted *before* the password is checked and given back when it succeeds, so
attempts sent at the same moment cannot slip past a limit (with the database storage, the
counter rows stay locked until the request commits); a success also forgets that machine's
failures on the account, but not the account's count across addresses. Refused attempts check
no password and count nothing.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.strategies import FixedWindowRateLimiter

from workflow.core.ratelimit import storage

ADDRESS = "sign-in-address"
ACCOUNT_AT_ADDRESS = "sign-in-account-address"
ACCOUNT = "sign-in-account"
WAIT = "kpi/sign-in-wait"


class Throttled(Exception):
    """Too many failed sign-ins: try again in `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:.0f} s")
        self.retry_after = max(1, math.ceil(retry_after))


@dataclass
class Attempt:
    account: str
    address: str
    hits: list[tuple[RateLimitItem, tuple[str, ...]]] = field(default_factory=list)


def _limits() -> tuple[RateLimitItem, RateLimitItem]:
    settings = current_app.config["KPI"]
    return parse(settings["login_limit_per_address"]), parse(settings["login_limit_per_account"])


def account_of(username: str) -> str:
    """The account an attempt is about: the username as the form sends it (known or not, so the
    answer never tells which accounts exist)."""
    return username.strip().lower()[:64]


def _wait_key(attempt: Attempt) -> str:
    return f"{WAIT}/{attempt.account}/{attempt.address}"


def _give_back(attempt: Attempt) -> None:
    store = storage()
    for item, ids in attempt.hits:
        store.incr(item.key_for(*ids), item.get_expiry(), amount=-1)
    attempt.hits.clear()


def begin(username: str, address: str) -> Attempt:
    """Count a sign-in attempt before its password is checked; Throttled if it may not be made."""
    store = storage()
    now = time.time()
    attempt = Attempt(account_of(username), address or "-")
    wait = _wait_key(attempt)
    if store.get(wait) > 0:
        raise Throttled(store.get_expiry(wait) - now)
    per_address, per_account = _limits()
    limiter = FixedWindowRateLimiter(store)
    # Always in this order (address, then account at address, then account), so that requests
    # waiting on each other's counters cannot deadlock.
    refused: list[float] = []
    for item, ids, hard in (
        (per_address, (ADDRESS, attempt.address), True),
        (per_account, (ACCOUNT_AT_ADDRESS, attempt.account, attempt.address), True),
        (per_account, (ACCOUNT, attempt.account), False),
    ):
        within = limiter.hit(item, *ids)
        attempt.hits.append((item, ids))
        if hard and not within:
            refused.append(limiter.get_window_stats(item, *ids).reset_time - now)
    if refused:
        _give_back(attempt)
        raise Throttled(max(refused))
    return attempt


def succeeded(attempt: Attempt) -> None:
    """The password was right: the attempt is not a failure, and this machine's failures on the
    account are forgotten."""
    _give_back(attempt)
    _, per_account = _limits()
    store = storage()
    store.clear(per_account.key_for(ACCOUNT_AT_ADDRESS, attempt.account, attempt.address))
    store.clear(_wait_key(attempt))


def failed(attempt: Attempt) -> None:
    """The password was wrong: the attempt stays counted, and once the account has had its
    allowance of failures across addresses, this address waits before trying it again."""
    settings = current_app.config["KPI"]
    _, per_account = _limits()
    store = storage()
    failures = store.get(per_account.key_for(ACCOUNT, attempt.account))
    if failures < per_account.amount:
        return
    delay = min(settings["login_backoff_seconds"] * 2 ** min(failures - per_account.amount, 30), settings["login_backoff_max_seconds"])
    wait = _wait_key(attempt)
    store.clear(wait)
    store.incr(wait, int(delay))


def init_app(app: Flask) -> None:
    """Refuse to start with a limit `limits` cannot read (the message names the setting)."""
    from workflow.settings import SettingsError

    for name in ("login_limit_per_address", "login_limit_per_account"):
        try:
            parse(app.config["KPI"][name])
        except ValueError as exc:
            raise SettingsError(f"{name}: {exc}") from None

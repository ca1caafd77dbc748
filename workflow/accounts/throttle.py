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

An attempt is counted atomically once its password has been checked, and before anything is
answered: when the count finds the limit passed (attempts sent at the same moment, which all
passed the first look), the answer is 429 whatever the password was, so the limits hold exactly
and a burst learns no more than the limits allow. Counting after the check keeps the counter rows
locked (database storage) only for the few statements before the request commits, not while a
password is hashed. Anything already over a limit is refused at the first look, without checking
a password. A success is not counted as a failure, and forgets that machine's failures on the
account, but not the account's count across addresses.
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


def _counts(attempt: Attempt) -> list[tuple[RateLimitItem, tuple[str, ...], bool]]:
    """The three counts of an attempt, as (limit, key, whether passing it refuses), always in
    this order so that requests waiting on each other's counters cannot deadlock."""
    per_address, per_account = _limits()
    return [
        (per_address, (ADDRESS, attempt.address), True),
        (per_account, (ACCOUNT_AT_ADDRESS, attempt.account, attempt.address), True),
        (per_account, (ACCOUNT, attempt.account), False),
    ]


def check(username: str, address: str) -> Attempt:
    """The first look, before the password is checked: Throttled if this attempt may not be
    made now (a limit already reached, or this address waiting on this account)."""
    store = storage()
    now = time.time()
    attempt = Attempt(account_of(username), address or "-")
    wait = _wait_key(attempt)
    if store.get(wait) > 0:
        raise Throttled(store.get_expiry(wait) - now)
    limiter = FixedWindowRateLimiter(store)
    refused = [limiter.get_window_stats(item, *ids).reset_time - now for item, ids, hard in _counts(attempt) if hard and not limiter.test(item, *ids)]
    if refused:
        raise Throttled(max(refused))
    return attempt


def record(attempt: Attempt, *, succeeded: bool) -> None:
    """Count the attempt whose password was just checked. Throttled if counting it passes a
    limit (then its outcome must not be told, nor anyone signed in)."""
    store = storage()
    now = time.time()
    limiter = FixedWindowRateLimiter(store)
    refused: list[float] = []
    for item, ids, hard in _counts(attempt):
        within = limiter.hit(item, *ids)
        attempt.hits.append((item, ids))
        if hard and not within:
            refused.append(limiter.get_window_stats(item, *ids).reset_time - now)
    if refused:
        _give_back(attempt)
        raise Throttled(max(refused))
    if succeeded:
        _succeeded(attempt)
    else:
        _failed(attempt)


def _succeeded(attempt: Attempt) -> None:
    """Not a failure, and this machine's failures on the account are forgotten."""
    _give_back(attempt)
    _, per_account = _limits()
    store = storage()
    store.clear(per_account.key_for(ACCOUNT_AT_ADDRESS, attempt.account, attempt.address))
    store.clear(_wait_key(attempt))


def _failed(attempt: Attempt) -> None:
    """Once the account has had its allowance of failures across addresses, this address waits
    before trying it again."""
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

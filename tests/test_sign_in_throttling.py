"""Sign-in throttling (workflow/accounts/throttle.py): the limits hold exactly across every worker
of every instance with the default store (the database), attempts sent at once cannot slip past
them, and nobody can lock a colleague out by typing wrong passwords under their name."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, update

import factories as f
from test_migrations import scratch_app  # noqa: F401  (fixture: an application on an empty database)
from test_proxy import Browser, _start, _wait
from test_serve import free_port
from workflow.accounts.models import Role
from workflow.core.ratelimit import RateLimitCounter
from workflow.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def attempt(client, username: str, address: str, password: str = "sai"):
    return client.post("/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address})


def test_failures_are_counted_in_the_database(client):
    assert attempt(client, "ai-do", "10.0.0.1").status_code == 200
    counters = dict(db.session.execute(select(RateLimitCounter.key, RateLimitCounter.count)).all())
    assert sorted(counters.values()) == [1, 1, 1] and any("ai-do" in key and "10.0.0.1" in key for key in counters)


def test_a_colleague_cannot_lock_the_owner_out(client, app):
    f.person(Role.HEAD, username="chutich")
    db.session.commit()
    for _ in range(5):
        assert attempt(client, "chutich", "10.0.0.66").status_code == 200
    refused = attempt(client, "chutich", "10.0.0.66", f.PASSWORD)  # even the right password, from there
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    page = refused.get_data(as_text=True)
    assert "Quá nhiều lần đăng nhập sai" in page and 'id="f-username"' in page  # the form, with the reason
    # The owner, at their own machine, signs in at once.
    assert attempt(app.test_client(), "chutich", "10.0.0.5", f.PASSWORD).status_code == 302


def test_guessing_from_many_addresses_is_slowed_down_but_never_locks(client, app):
    f.person(Role.HEAD, username="giamdoc")
    db.session.commit()
    for i in range(4):  # the account's allowance: each address may try again at once
        assert attempt(client, "giamdoc", f"10.1.0.{i}").status_code == 200
    assert attempt(client, "giamdoc", "10.1.0.0").status_code == 200  # the account's 5th failure
    waiting = attempt(client, "giamdoc", "10.1.0.0")
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "30"
    assert attempt(client, "giamdoc", "10.1.0.1").status_code == 200  # the 6th: twice as long
    assert attempt(client, "giamdoc", "10.1.0.1").headers["Retry-After"] == "60"
    # The owner's first try from any other machine goes through.
    assert attempt(app.test_client(), "giamdoc", "10.1.0.200", f.PASSWORD).status_code == 302
    # And the wait ends: it is a delay, not a lock.
    db.session.execute(update(RateLimitCounter).where(RateLimitCounter.key.startswith("kpi/sign-in-wait")).values(expires_at=0))
    db.session.commit()
    assert attempt(client, "giamdoc", "10.1.0.0").status_code == 200


def test_a_successful_sign_in_is_given_back_and_forgets_that_machines_failures(client, app):
    f.person(Role.STAFF, username="hayquen")
    db.session.commit()
    for _ in range(3):
        assert attempt(client, "hayquen", "10.2.0.1").status_code == 200
    assert attempt(client, "hayquen", "10.2.0.1", f.PASSWORD).status_code == 302
    client.post("/logout")
    counters = dict(db.session.execute(select(RateLimitCounter.key, RateLimitCounter.count)).all())
    assert not [k for k in counters if "sign-in-account-address" in k]  # this machine starts afresh
    assert [c for k, c in counters.items() if "/sign-in-account/" in k] == [3]  # the account's count stays
    assert [c for k, c in counters.items() if "sign-in-address" in k] == [3]  # the success was not counted


# --- two `kpi serve` instances of two workers each, one database ------------------------------

def _failures_before_429(send) -> int:
    for n in range(100):
        status = send(n)
        if status == 429:
            return n
        assert status == 200, status
    raise AssertionError("never throttled")


@pytest.mark.slow
@pytest.mark.real_commits
def test_limits_hold_exactly_across_two_instances_of_two_workers(scratch_app, tmp_path, record_property):  # noqa: F811
    with scratch_app.app_context():
        upgrade()
        f.person(Role.HEAD, username="bithu")
        db.session.commit()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KPI_")},
        "KPI_ENV": "production",
        "KPI_SECRET_KEY": "khoa-bi-mat-dung-chung-cho-moi-may-chu-web-0123456789",
        "KPI_DATABASE_URL": scratch_app.config["SQLALCHEMY_DATABASE_URI"],
        "KPI_UPLOAD_DIR": str(tmp_path / "uploads"),
        "KPI_PROXY_HOPS": "1",  # the tests's client addresses come in X-Forwarded-For
        "KPI_WEB_WORKERS": "2",
        "KPI_WEB_THREADS": "2",
    }
    kpi = str(Path(sys.executable).with_name("kpi"))
    ports = [free_port(), free_port()]
    webs = [_start([kpi, "serve", "--bind", f"127.0.0.1:{p}"], env) for p in ports]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for base, web in zip(bases, webs, strict=True):
            _wait(f"{base}/healthz", web)
        browser = Browser()
        browser.open_login(bases[0])
        # Each attempt on a new connection, to either instance: any of the four workers.
        per_account = _failures_before_429(lambda n: browser.sign_in(bases[n % 2], "bithu", "203.0.113.7"))
        per_address = _failures_before_429(lambda n: browser.sign_in(bases[n % 2], f"khong-co-{n}", "203.0.113.8"))
        owner = Browser()
        owner.open_login(bases[1])
        assert owner.sign_in(bases[1], "bithu", "198.51.100.4", password="mat-khau-thu-nghiem") == 302
        # Ten wrong passwords sent at the same moment: exactly five are checked.
        with ThreadPoolExecutor(10) as pool:
            burst = sorted(pool.map(lambda n: browser.sign_in(bases[n % 2], "truongphong", "203.0.113.9"), range(10)))
    finally:
        for web in webs:
            web.terminate()
        for web in webs:
            web.communicate(timeout=30)
    record_property("failures_before_429", {"account_at_address": per_account, "address": per_address, "burst": burst})
    print(f"\nfailures before 429 across 2 instances × 2 workers: per account and address {per_account}, per address {per_address}; "
          f"burst of 10 at once: {burst.count(200)} checked, {burst.count(429)} refused")
    assert (per_account, per_address) == (5, 20)
    assert burst == [200] * 5 + [429] * 5
    with scratch_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RateLimitCounter)) > 0

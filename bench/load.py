#!/usr/bin/env python
"""Load: many people signing in and working at once against one or more web instances, for a
fixed time; prints requests per second and the p50/p95 latency.

    .venv/bin/python bench/load.py --url http://127.0.0.1:8001 --url http://127.0.0.1:8002 \\
        --user gd.skhdt:vinhphuc-2027 --user chuyenvien1:vinhphuc-2027 --users 50 --seconds 60

Each simulated user is one thread (a bounded pool of `--users`) with a cookie session of its
own, taking the logins given in turn, arriving one after another over the first seconds (--ramp-up).
Every request goes to the next URL, so a session signed in
on one instance is used on the others too. A user signs in through the form (the CSRF token from
the page), then, until the time is up: the dashboard, the list of registrations and one of them,
and either (a head) their reports and a draft saved through the API (the value of one target,
with If-Match; a 409/412 conflict is expected when two people edit the same report, and is
retried after reading the report again) or (anyone else) the monitoring page and a report. Now
and then a user signs out and in again.

A login may name a scenario of the monthly round instead (LOGIN:PASSWORD:servant, or
LOGIN:PASSWORD:manager:PATH with the team's grid to open): a civil servant opens "this month",
their month, and saves their self-assessment through the API (one product's quantity delivered,
with If-Match); a direct manager opens the team's grid at PATH, one member's month, and saves
the assessment of a month waiting for it (one product's quantity that counts), never of a month
still being self-assessed.

Every acknowledged save is kept (report, target, value, version; or month, product, field,
value, version) so that a caller with the database at hand can check none was lost
(tests/test_scale_out.py does). Exit status 1 when any request got a 5xx answer or no answer at
all.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from typing import Any

NUMBER = re.compile(r"/\d+")
MONTH_LINK = re.compile(r'href="/monthly/months/(\d+)"')
ASSESSABLE = ("self_assessed", "assessed", "returned")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
EDITABLE = ("draft", "returned")
SIGN_IN_AGAIN_EVERY = 10  # rounds
SAVE_ATTEMPTS = 20


@dataclass(frozen=True)
class Ack:
    """A save the server acknowledged: the report's version after it, and the value written."""

    report_id: int
    target_id: int
    value: str
    version: int


@dataclass(frozen=True)
class MonthAck:
    """A save of a month the server acknowledged: the month's version after it, the product, the
    figure written (delivered_quantity or assessed_quantity) and its value."""

    plan_id: int
    line_id: int
    field: str
    value: str
    version: int


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    by_route: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # no answer, or an answer the scenario cannot go on from
    acks: list[Ack] = field(default_factory=list)
    month_acks: list[MonthAck] = field(default_factory=list)
    conflicts: int = 0
    started: float = 0.0
    finished: float = 0.0

    def record(self, method: str, url: str, status: int, seconds: float) -> None:
        route = f"{method} " + NUMBER.sub("/{id}", urllib.parse.urlsplit(url).path)
        with self.lock:
            self.latencies.append(seconds)
            self.by_route.setdefault(route, []).append(seconds)
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors.append(f"{method} {url}: {status}")

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def seconds(self) -> float:
        return max(self.finished - self.started, 1e-9)

    def percentile(self, p: float, latencies: list[float] | None = None) -> float:
        latencies = self.latencies if latencies is None else latencies
        if len(latencies) < 2:
            return latencies[0] if latencies else 0.0
        return statistics.quantiles(latencies, n=100, method="inclusive")[int(p) - 1]

    def routes(self) -> str:
        """Count, p50 and p95 of each route (ids as {id}), slowest p95 first."""
        rows = sorted(self.by_route.items(), key=lambda item: -self.percentile(95, item[1]))
        return "\n".join(f"  {route:<45} {len(times):>6}  p50 {self.percentile(50, times) * 1000:>6.0f} ms  "
                         f"p95 {self.percentile(95, times) * 1000:>6.0f} ms" for route, times in rows)

    def summary(self) -> str:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        return (
            f"{self.requests} requests in {self.seconds:.1f} s: {self.requests / self.seconds:.1f} requests/s, "
            f"p50 {self.percentile(50) * 1000:.0f} ms, p95 {self.percentile(95) * 1000:.0f} ms; "
            f"{len(self.acks)} report saves and {len(self.month_acks)} month saves acknowledged, {self.conflicts} conflicts retried; "
            f"{len(self.server_errors)} server errors, {len(self.failures)} failures (statuses {statuses})"
        )


@dataclass
class Answer:
    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class NoAnswer(Exception):
    """The server did not answer (refused, reset, timed out): the user stops."""


class TimeUp(Exception):
    """The run's time is over: the user sends nothing more (an answer awaited is still read)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx comes back as it is, counted like any other answer


class User:
    def __init__(self, number: int, urls: list[str], username: str, password: str, results: Results, *, starts: float,
                 deadline: float, timeout: float, values: Any, scenario: str = "", path: str = "") -> None:
        self.number = number
        self.scenario = scenario  # "": heads and officers; "servant" or "manager": the monthly round
        self.path = path
        self.starts = starts
        self.urls = urls
        self.username = username
        self.password = password
        self.results = results
        self.deadline = deadline
        self.timeout = timeout
        self.values = values
        self.turn = number  # users start on different instances
        self.rng = random.Random(number)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect)
        self.csrf = ""
        self.head_units: set[int] = set()

    # --- HTTP ----------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, form: dict[str, str] | None = None, body: Any = None,
                headers: dict[str, str] | None = None) -> Answer:
        if time.monotonic() >= self.deadline:
            raise TimeUp
        base = self.urls[self.turn % len(self.urls)]
        self.turn += 1
        url = base.rstrip("/") + path
        data = None
        headers = {"Accept-Language": "vi", **(headers or {})}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                answer = Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            answer = Answer(exc.code, exc.headers, exc.read())
        except (urllib.error.URLError, OSError) as exc:
            self.results.fail(f"{self.username}: {method} {url}: no answer: {exc}")
            raise NoAnswer from exc
        self.results.record(method, url, answer.status, time.perf_counter() - start)
        return answer

    def get(self, path: str) -> Answer:
        """A page or a resource, following redirects within the site (a head's own registration
        page leads to the registration); anything but 200 in the end is a failure."""
        answer = self.request("GET", path)
        for _ in range(3):
            if answer.status not in (301, 302, 303):
                break
            target = urllib.parse.urlsplit(answer.headers.get("Location", ""))
            answer = self.request("GET", target.path + (f"?{target.query}" if target.query else ""))
        if answer.status != 200:
            self.results.fail(f"{self.username}: GET {path}: {answer.status}")
        return answer

    def _keep_csrf(self, answer: Answer) -> None:
        found = CSRF.search(answer.text)
        if found:
            self.csrf = found.group(1)

    # --- the scenario --------------------------------------------------------------------------

    def sign_in(self) -> bool:
        page = self.get("/login")
        self._keep_csrf(page)
        answer = self.request("POST", "/login", form={"username": self.username, "password": self.password, "csrf_token": self.csrf})
        if answer.status != 302:
            self.results.fail(f"{self.username}: signing in answered {answer.status}")
            return False
        self._keep_csrf(self.get("/"))
        me = self.get("/api/v1/me").json()
        self.head_units = {g["unit_id"] for g in me["roles"] if g["role"] == "head"}
        return True

    def sign_out(self) -> None:
        answer = self.request("POST", "/logout", form={"csrf_token": self.csrf})
        if answer.status != 302:
            self.results.fail(f"{self.username}: signing out answered {answer.status}")

    def run(self) -> None:
        time.sleep(max(0.0, self.starts - time.monotonic()))
        try:
            if not self.sign_in():
                return
            rounds = 0
            while True:
                self.one_round()
                rounds += 1
                if rounds % SIGN_IN_AGAIN_EVERY == 0:
                    self.sign_out()
                    if not self.sign_in():
                        return
        except (NoAnswer, TimeUp):
            return
        except Exception as exc:  # a bug in the scenario, or an answer it could not read
            self.results.fail(f"{self.username}: {type(exc).__name__}: {exc}")

    def one_round(self) -> None:
        if self.scenario:
            return self.month_round()
        self._keep_csrf(self.get("/"))
        self.get("/registrations/mine" if self.head_units else "/registrations")
        registrations = self.get("/api/v1/registrations?per_page=50").json()["items"]
        if registrations:
            self.get(f"/registrations/{self.rng.choice(registrations)['id']}")
        reports = self.get("/api/v1/reports?per_page=100").json()["items"]
        if self.head_units:
            self.get("/reports/mine")
            mine = [r for r in reports if r["state"] in EDITABLE and r["unit"]["id"] in self.head_units]
            if mine:
                report = self.rng.choice(mine)
                self.save(report["id"])
                self.get(f"/reports/{report['id']}")
        else:
            self.get("/reports/monitor")
            if reports:
                self.get(f"/reports/{self.rng.choice(reports)['id']}")

    def month_round(self) -> None:
        """A servant's or a manager's turn at the monthly round."""
        page = self.get("/monthly/" if self.scenario == "servant" else self.path)
        self._keep_csrf(page)
        months = MONTH_LINK.findall(page.text)
        if not months:
            self.results.fail(f"{self.username}: no month on {'this month' if self.scenario == 'servant' else self.path}")
            return
        plan_id = int(self.rng.choice(months))
        self.save_month(plan_id, "self-assessment" if self.scenario == "servant" else "assessment")
        self.get(f"/monthly/months/{plan_id}")

    def save_month(self, plan_id: int, what: str) -> None:
        """The servant's self-assessment or the manager's assessment of one product, read then
        written with the version read; on a conflict read again and retry."""
        name = "delivered_quantity" if what == "self-assessment" else "assessed_quantity"
        for _ in range(SAVE_ATTEMPTS):
            read = self.get(f"/api/v1/monthly/months/{plan_id}")
            if read.status != 200:
                return
            month = read.json()
            if what == "assessment" and month["state"] not in ASSESSABLE or what == "self-assessment" and month["state"] != "agreed":
                return
            line = self.rng.choice(month["lines"])
            value = f"{next(self.values) % 90 + 1}.5"
            answer = self.request(
                "PUT", f"/api/v1/monthly/months/{plan_id}/{what}", body={"entries": [{"line_id": line["id"], name: value}]},
                headers={"If-Match": read.headers["ETag"], "X-CSRFToken": self.csrf, "Accept": "application/json"},
            )
            if answer.status == 200:
                with self.results.lock:
                    self.results.month_acks.append(MonthAck(plan_id, line["id"], name, value, answer.json()["version"]))
                return
            if answer.status in (409, 412):
                with self.results.lock:
                    self.results.conflicts += 1
                continue
            self.results.fail(f"{self.username}: saving the {what} of month {plan_id}: {answer.status} {answer.text[:300]}")
            return
        self.results.fail(f"{self.username}: saving month {plan_id}: still conflicting after {SAVE_ATTEMPTS} attempts")

    def save(self, report_id: int) -> None:
        """Save the value of one target of a draft, as the API wants: read, then write with the
        version read; on a conflict read again and retry."""
        for _ in range(SAVE_ATTEMPTS):
            read = self.get(f"/api/v1/reports/{report_id}")
            if read.status != 200:
                return
            report = read.json()
            lines = [ln for ln in report["lines"] if ln["kind"] == "quantitative"]
            if report["state"] not in EDITABLE or not lines:
                return
            line = self.rng.choice(lines)
            value = f"{next(self.values)}.25"
            answer = self.request(
                "PATCH", f"/api/v1/reports/{report_id}/entries", body={"entries": [{"target_id": line["target_id"], "actual": value}]},
                headers={"If-Match": read.headers["ETag"], "X-CSRFToken": self.csrf, "Accept": "application/json"},
            )
            if answer.status == 200:
                saved = answer.json()
                with self.results.lock:
                    self.results.acks.append(Ack(report_id, line["target_id"], value, saved["version"]))
                return
            if answer.status in (409, 412):
                with self.results.lock:
                    self.results.conflicts += 1
                continue
            self.results.fail(f"{self.username}: saving report {report_id}: {answer.status} {answer.text[:300]}")
            return
        self.results.fail(f"{self.username}: saving report {report_id}: still conflicting after {SAVE_ATTEMPTS} attempts")


def run(urls: list[str], logins: list[tuple[str, ...]], *, users: int = 50, seconds: float = 60.0, ramp_up: float = 10.0,
        timeout: float = 30.0) -> Results:
    """`users` simulated people (taking `logins` in turn) working for `seconds` against `urls`;
    they arrive one after another over the first `ramp_up` seconds, as people do. A login is
    (username, password), or with a scenario of the monthly round: (…, "servant") or
    (…, "manager", the grid's path)."""
    if not urls or not logins:
        raise ValueError("give at least one URL and one login")
    results = Results()
    values = itertools.count(1000)  # every saved value differs, so a lost write cannot hide
    results.started = time.monotonic()
    deadline = results.started + seconds
    people = [User(i, urls, *logins[i % len(logins)][:2], results, starts=results.started + ramp_up * i / users, deadline=deadline,
                   timeout=timeout, values=values, scenario=_at(logins[i % len(logins)], 2), path=_at(logins[i % len(logins)], 3))
              for i in range(users)]
    with ThreadPoolExecutor(max_workers=users, thread_name_prefix="load-user") as pool:
        for future in [pool.submit(p.run) for p in people]:
            future.result()
    results.finished = time.monotonic()
    return results


def _at(login: tuple[str, ...], index: int) -> str:
    return login[index] if len(login) > index else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", action="append", required=True, help="a web instance (repeat for several)")
    parser.add_argument("--user", action="append", required=True, metavar="LOGIN:PASSWORD[:servant|:manager:PATH]",
                        help="a login to use (repeat; users take them in turn), with a scenario of the monthly round")
    parser.add_argument("--users", type=int, default=50, help="simulated people at once (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long (default 60)")
    parser.add_argument("--ramp-up", type=float, default=10.0, help="seconds over which the users arrive (default 10)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one answer (default 30)")
    args = parser.parse_args()
    logins = [tuple(u.split(":", 3)) for u in args.user]
    if any(len(login) < 2 or len(login) > 2 and login[2] not in ("servant", "manager") for login in logins):
        parser.error("--user takes LOGIN:PASSWORD, LOGIN:PASSWORD:servant or LOGIN:PASSWORD:manager:PATH")
    results = run(args.url, logins, users=args.users, seconds=args.seconds, ramp_up=args.ramp_up, timeout=args.timeout)  # type: ignore[arg-type]
    print(results.summary())
    print(results.routes())
    for line in (results.server_errors + results.failures)[:20]:
        print("  " + line)
    sys.exit(1 if results.server_errors or results.failures else 0)


if __name__ == "__main__":
    main()

"""A bounded load test against a server on this machine: simulated users sign in, open the main
pages and save attendance and ratings, for a fixed time. Prints requests, errors and latencies.

    python scripts/loadtest.py --url http://127.0.0.1:8200 --users 50 --seconds 120

Run it against the demo organisation (`seed_demo`) served by gunicorn, or against a generated one
(`seed_scale`) with `--accounts` naming a sign-in for each role and `--password` theirs; see
docs/performance.md. Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

PASSWORD = "demo-rollout-2016"
NUMBER = re.compile(r"/\d+/")  # a page's own id, left out of its name in the figures by page
ACCOUNTS = {
    "practitioner": "practitioner@council.example",
    "supervisor": "supervisor@council.example",
    "practice_leader": "practice.leader@council.example",
    "programme_lead": "programme.lead@council.example",
}
PAGES = {
    "practitioner": ["/", "/reviews/", "/progress/", "/circles/", "/supervision/", "/calendar/"],
    "supervisor": ["/", "/supervision/", "/reviews/", "/circles/"],
    "practice_leader": ["/circles/", "/circles/unplaced/", "/cohorts/", "/reviews/"],
    "programme_lead": [
        "/",
        "/rollout/",
        "/roster/",
        "/circles/",
        "/fidelity/",
        "/fidelity/?case_context=statutory",
        "/fidelity/practice/",
        "/fidelity/follow-up/",
    ],
}


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    # The requests of signing in, before the load starts: apart from the figures under load.
    sign_ins: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, error: str | None, page: str = "") -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_page.setdefault(page, []).append(seconds)
            if error:
                self.errors.append(error)


class User:
    """One simulated person with their own cookies (sent back whatever their Secure flag)."""

    def __init__(
        self,
        base: str,
        role: str,
        results: Results,
        accounts: dict[str, str] = ACCOUNTS,
        password: str = PASSWORD,
    ) -> None:
        parts = urllib.parse.urlsplit(base)
        if parts.hostname is None:
            raise ValueError(f"{base} names no host")
        self.host, self.port = parts.hostname, parts.port or 80
        self.role, self.results = role, results
        self.accounts, self.password = accounts, password
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, htmx: bool = False
    ):
        body = urllib.parse.urlencode(form, doseq=True) if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # "csrftoken", or "__Host-csrftoken" in production settings
            token = [value for key, value in self.cookies.items() if key.endswith("csrftoken")]
            headers["X-CSRFToken"] = token[0] if token else ""
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        if htmx:
            headers["HX-Request"] = "true"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        error = None
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            error = None if response.status < 400 else f"{response.status} {method} {path}"
            return response.status, content, response.getheader("Location")
        except OSError as exc:
            error, content = f"{type(exc).__name__} {method} {path}", ""
            return 0, content, None
        finally:
            connection.close()
            page = method + " " + NUMBER.sub("/<id>/", path.split("?")[0])
            self.results.record(time.perf_counter() - started, error, page)

    def sign_in(self) -> None:
        self.request("GET", "/accounts/login/")
        status, _, location = self.request(
            "POST",
            "/accounts/login/",
            {"login": self.accounts[self.role], "password": self.password},
        )
        if status != 302:
            raise RuntimeError(f"{self.role} could not sign in ({status})")

    def act(self, rng: random.Random) -> None:
        if self.role == "practitioner" and rng.random() < 0.3:
            self.save_rating(rng)
        elif self.role == "practice_leader" and rng.random() < 0.3:
            self.save_attendance(rng)
        else:
            self.request("GET", rng.choice(PAGES[self.role]))

    def save_rating(self, rng: random.Random) -> None:
        _, page, _ = self.request("GET", "/reviews/")
        drafts = re.findall(r'href="/reviews/(\d+)/"', page)
        if not drafts:
            return
        review = drafts[0]
        _, grid, _ = self.request("GET", f"/reviews/{review}/")
        rows = re.findall(r'name="based_on-(\d+)" value="(\d+)"', grid)
        if not rows:
            return
        competency, based_on = rng.choice(rows)
        self.request(
            "POST",
            f"/reviews/{review}/rate/",
            {
                "competency": competency,
                f"level-{competency}": str(rng.choice([1, 2, 3])),
                f"based_on-{competency}": based_on,
            },
            htmx=True,
        )

    def save_attendance(self, rng: random.Random) -> None:
        _, page, _ = self.request("GET", "/circles/")
        circles = re.findall(r'href="/circles/(\d+)/"', page)
        if not circles:
            return
        _, circle, _ = self.request("GET", f"/circles/{rng.choice(circles)}/")
        meetings = re.findall(r'href="/meetings/(\d+)/"', circle)
        if not meetings:
            return
        meeting = meetings[-1]
        _, screen, _ = self.request("GET", f"/meetings/{meeting}/")
        members = sorted(set(re.findall(r'name="status-(\d+)"', screen)))
        if members:
            person = rng.choice(members)
            status = rng.choice(["present", "apologies", "absent"])
            self.request(
                "POST",
                f"/meetings/{meeting}/attendance/",
                {"person": person, f"status-{person}": status},
                htmx=True,
            )


def run(
    base: str,
    users: int,
    seconds: float,
    accounts: dict[str, str] = ACCOUNTS,
    password: str = PASSWORD,
) -> Results:
    host = urllib.parse.urlsplit(base).hostname or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise SystemExit("The load test only runs against this machine (127.0.0.0/8 or localhost).")
    results = Results()
    deadline = time.monotonic() + seconds
    roles = list(accounts)

    # One sign-in for each role, shared by its simulated users: signing in is rate limited per
    # address (as it should be), and hashing fifty passwords at once would only measure that.
    sessions = {}
    setup = Results()
    for role in roles:
        user = User(base, role, setup, accounts, password)
        user.sign_in()
        sessions[role] = dict(user.cookies)
    results.sign_ins = setup.latencies

    def simulate(number: int) -> None:
        rng = random.Random(number)
        role = roles[number % len(roles)]
        user = User(base, role, results)
        user.cookies = dict(sessions[role])
        while time.monotonic() < deadline:
            user.act(rng)
            time.sleep(rng.uniform(2, 8))  # a person reads a page before the next click

    threads = [threading.Thread(target=simulate, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8200")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument(
        "--accounts",
        help="role=email pairs separated by commas, one for each of "
        + ", ".join(ACCOUNTS)
        + " (default: the demo's)",
    )
    parser.add_argument("--password", default=PASSWORD, help="the accounts' password")
    args = parser.parse_args()
    accounts = ACCOUNTS
    if args.accounts:
        accounts = dict(pair.split("=", 1) for pair in args.accounts.split(","))
        if set(accounts) != set(ACCOUNTS):
            raise SystemExit(f"--accounts needs one sign-in for each of {', '.join(ACCOUNTS)}")
    results = run(args.url, args.users, args.seconds, accounts, args.password)
    latencies = sorted(results.latencies)
    if not latencies:
        raise SystemExit("No requests were made.")
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"users: {args.users}, seconds: {args.seconds:g}")
    print(f"requests: {len(latencies)}, errors: {len(results.errors)}")
    print(f"p50: {p50 * 1000:.0f} ms, p95: {p95 * 1000:.0f} ms, max: {latencies[-1] * 1000:.0f} ms")
    print(f"{'page':<40} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7}")
    for page, times in sorted(results.by_page.items()):
        times = sorted(times)
        print(
            f"{page:<40} {len(times):>8} {statistics.median(times) * 1000:>7.0f} "
            f"{times[max(int(len(times) * 0.95) - 1, 0)] * 1000:>7.0f}"
        )
    if results.sign_ins:
        signing_in = sorted(results.sign_ins)
        print(
            f"signing in, before the load (not counted above): {len(signing_in)} requests, "
            f"p50 {statistics.median(signing_in) * 1000:.0f} ms, "
            f"max {signing_in[-1] * 1000:.0f} ms"
        )
    for error in sorted(set(results.errors))[:20]:
        print("  error:", error)
    raise SystemExit(1 if results.errors else 0)


if __name__ == "__main__":
    main()

"""The locust load test of bench/national.py, run in its own process (locust monkey-patches
the standard library with gevent on import, which the Django process must not see).

    .venv/bin/python bench/_national_load.py CONFIG.json RESULTS.json

CONFIG: host, users, seconds, password, leaders [{email, token, classes: [[pupil ids]]}],
hub_leads [email]. Users sign in through the real allauth form in on_start; statistics are
reset once every user has signed in, so the numbers cover `seconds` of steady load only.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from itertools import count  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import HttpUser, between, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

CONFIG = json.loads(Path(sys.argv[1]).read_text())
SIGNED_IN = {"n": 0}
LEADER_SEQ = count()
LEAD_SEQ = count()
DUPLICATES = {"n": 0}
TODAY = date.today()


class SignIn:
    def sign_in(self, email):
        self.client.get("/accounts/login/", name="sign in form")
        token = self.client.cookies.get("csrftoken")
        response = self.client.post(
            "/accounts/login/",
            data={"login": email, "password": CONFIG["password"], "csrfmiddlewaretoken": token},
            name="sign in",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"sign in as {email} answered {response.status_code}")
        SIGNED_IN["n"] += 1

    def page(self, url, name):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")


class CareersLeader(SignIn, HttpUser):
    weight = 4
    wait_time = between(1, 5)

    def on_start(self):
        me = CONFIG["leaders"][next(LEADER_SEQ) % len(CONFIG["leaders"])]
        self.token, self.classes = me["token"], me["classes"]
        self.sign_in(me["email"])

    @task(3)
    def home(self):
        self.page("/", "leader: home")

    @task(3)
    def school_summary(self):
        self.page("/progress/", "leader: school summary")

    @task(3)
    def cohort(self):
        self.page(f"/progress/year/{random.choice([7, 8, 9, 10, 11])}/", "leader: cohort page")

    @task(2)
    def pupils(self):
        self.page("/pupils/", "leader: pupils list")

    @task(1)
    def log_class(self):
        # A summer-holiday day of the last two years: no built experience falls on one, so
        # a 409 (likely duplicate) can only be another of these posts; counted apart.
        day = date(TODAY.year - random.choice([0, 1]), 8, random.randint(1, 31))
        if day >= TODAY:
            day = day.replace(year=day.year - 2)
        kind, setting = random.choice(
            [
                ("workplace_visit", "workplace"),
                ("insight_day", "community"),
                ("virtual_experience", "virtual"),
                ("work_shadowing", "workplace"),
            ]
        )
        body = {
            "title": f"Load POST {random.getrandbits(40):x}",
            "kind": kind,
            "setting": setting,
            "tier": 2,
            "start_date": day.isoformat(),
            "duration_hours": "5",
            "criteria": ["M1", "M2", "M3"],
            "pupils": random.choice(self.classes),
        }
        with self.client.post(
            "/api/v1/experiences/",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            name="leader: POST experience (30 pupils)",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                DUPLICATES["n"] += 1
                response.success()
            elif response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class HubLead(SignIn, HttpUser):
    weight = 1
    wait_time = between(1, 5)

    def on_start(self):
        self.sign_in(CONFIG["hub_leads"][next(LEAD_SEQ) % len(CONFIG["hub_leads"])])

    @task(1)
    def home(self):
        self.page("/", "hub lead: home (schools)")

    @task(1)
    def dashboard(self):
        self.page("/reports/hub/", "hub lead: dashboard")


def main():
    env = Environment(user_classes=[CareersLeader, HubLead], host=CONFIG["host"], events=events)
    runner = env.create_local_runner()
    users = CONFIG["users"]
    runner.start(users, spawn_rate=min(users, 10))
    deadline = time.monotonic() + 300
    while SIGNED_IN["n"] < users and time.monotonic() < deadline:
        gevent.sleep(0.5)
    signed_in = SIGNED_IN["n"]
    env.stats.reset_all()
    DUPLICATES["n"] = 0
    started = time.monotonic()
    gevent.sleep(CONFIG["seconds"])
    elapsed = time.monotonic() - started
    runner.quit()
    rows = []
    for entry in [*sorted(env.stats.entries.values(), key=lambda e: e.name), env.stats.total]:
        rows.append(
            {
                "name": entry.name,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "rps": entry.num_requests / elapsed,
                "p50": entry.get_response_time_percentile(0.5),
                "p95": entry.get_response_time_percentile(0.95),
                "p99": entry.get_response_time_percentile(0.99),
            }
        )
    errors = [
        {"name": error.name, "error": str(error.error), "occurrences": error.occurrences}
        for error in env.stats.errors.values()
    ]
    result = {
        "users": users,
        "signed_in": signed_in,
        "seconds": elapsed,
        "duplicates_409": DUPLICATES["n"],
        "rows": rows,
        "errors": errors,
    }
    Path(sys.argv[2]).write_text(json.dumps(result))


if __name__ == "__main__":
    main()

"""Reporting-day peak: reporters log in, open their report form and submit; leaders refresh the dashboard.

Accounts and projects are prepared by `python -m tuijin.loadtest.run` (lt_rep_NNN own project NNN; lt_lead_NN).
"""

import itertools
import os
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("TUIJIN_LOADTEST_PASSWORD", "Load-Test-2026!")
PERIOD = os.environ.get("TUIJIN_LOADTEST_PERIOD", "")  # YYYY-MM
PROJECTS = [int(x) for x in os.environ.get("TUIJIN_LOADTEST_PROJECTS", "").split(",") if x]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
_reporters = itertools.count(1)
_leaders = itertools.count(1)


def _csrf(response) -> str:
    match = CSRF.search(response.text)
    return match.group(1) if match else ""


class _Login(HttpUser):
    abstract = True
    username = ""

    def login(self):
        page = self.client.get("/accounts/login/", name="login page")
        response = self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(page)},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"login failed for {self.username}: {response.status_code}")


class Reporter(_Login):
    """One reporter per project: log in, open the month's form, fill it in, submit; then check the list."""

    weight = 10
    wait_time = between(3, 10)

    def on_start(self):
        self.index = next(_reporters)
        self.username = f"lt_rep_{self.index:03d}"
        self.project = PROJECTS[(self.index - 1) % len(PROJECTS)]
        self.submitted = False
        self.login()

    @task
    def report(self):
        if self.submitted:
            self.client.get("/progress/my/", name="my reports")
            return
        year, month = PERIOD.split("-")
        listing = self.client.get("/progress/my/", name="my reports")
        opened = self.client.post(
            f"/progress/new/{self.project}/{int(year)}/{int(month)}/",
            {"csrfmiddlewaretoken": _csrf(listing)},
            name="open report",
        )
        form = self.client.get(opened.url, name="report form") if opened.url.endswith("/edit/") else opened
        version = VERSION.search(form.text)
        if version is None:  # already submitted (a retry): nothing to do
            self.submitted = True
            return
        with self.client.post(
            form.url,
            {
                "csrfmiddlewaretoken": _csrf(form),
                "version": version.group(1),
                "month_investment": "150.00",
                "construction_install": "100.00",
                "equipment": "30.00",
                "other_cost": "20.00",
                "funds_arrived": "80",
                "physical_progress": "主体结构施工（压测）",
                "next_month_plan": "继续施工",
                "problems-TOTAL_FORMS": "0",
                "problems-INITIAL_FORMS": "0",
                "submit": "1",
            },
            name="submit report",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code == 302:
                response.success()
                self.submitted = True
            else:
                response.failure(f"submit returned {response.status_code}")


class Leader(_Login):
    """A leader refreshing the dashboard (驾驶舱)."""

    weight = 1
    wait_time = between(5, 15)

    def on_start(self):
        self.username = f"lt_lead_{next(_leaders):02d}"
        self.login()

    @task
    def dashboard(self):
        self.client.get("/progress/dashboard/", name="dashboard")

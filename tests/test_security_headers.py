"""Security headers on every kind of response, and no inline script, handler or style in
the templates (the Content Security Policy refuses them, so a new one would break a page)."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.test import TestCase

from access.actor import actor_for_user
from access.context import acting_as
from access.roles import Role

from .employer_world import make_nomination, make_opportunity

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Rendered by WeasyPrint into PDFs, never sent to a browser: their <style> is not under the CSP.
PDF_TEMPLATES = TEMPLATES / "reports" / "pdf"


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def assert_security_headers(response):
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & {v for vs in csp.values() for v in vs}
    features = dict(
        item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def _consent_link(world):
    """The link a parent is emailed, as the careers leader asks for consent."""
    from employers.consent import consent_request
    from employers.models import Nomination

    opportunity = make_opportunity(world.a.employer, [world.a.hub])
    nomination = make_nomination(
        opportunity, world.a.pupil, status=Nomination.Status.ACCEPTED, nominated_by=None
    )
    with (
        TestCase.captureOnCommitCallbacks(execute=True),  # the email is sent on commit
        acting_as(actor_for_user(world.a.users[Role.CAREERS_LEADER])) as actor,
    ):
        consent_request(actor=actor, nomination_id=nomination.pk, parent_email="p@example.org")
    [message] = [m for m in mail.outbox if m.to == ["p@example.org"]]
    url = next(word for word in message.body.split() if "/consent/" in word)
    return "/consent/" + url.split("/consent/", 1)[1]


# (who, path from the world, expected status): one of each kind of page and response.
PAGES = {
    "login": (None, lambda w: "/accounts/login/", 200),
    "employer's request to join": (None, lambda w: "/offer-work-experience/", 200),
    "parent's consent page": (None, _consent_link, 200),
    "redirect to sign in": (None, lambda w: "/pupils/", 302),
    "API docs": (None, lambda w: "/api/v1/docs/", 200),
    "API docs' script": (None, lambda w: "/api/v1/docs/?script=", 200),
    "API schema": (None, lambda w: "/api/v1/schema/", 200),
    "careers leader's home": (Role.CAREERS_LEADER, lambda w: "/", 200),
    "pupil's timeline": (Role.CAREERS_LEADER, lambda w: f"/pupils/{w.a.pupil.pk}/", 200),
    "experience form": (Role.CAREERS_LEADER, lambda w: "/experiences/new/", 200),
    "school report (htmx)": (
        Role.CAREERS_LEADER,
        lambda w: f"/reports/school/{w.a.school.pk}/",
        200,
    ),
    "report status (htmx partial)": (
        Role.CAREERS_LEADER,
        lambda w: f"/reports/runs/{w.a.report.pk}/status/",
        200,
    ),
    "report PDF": (Role.CAREERS_LEADER, lambda w: f"/reports/runs/{w.a.report.pk}/pdf/", 200),
    "hub lead's dashboard": (Role.HUB_LEAD, lambda w: "/reports/hub/", 200),
    "employer's opportunities": (Role.EMPLOYER, lambda w: "/employers/opportunities/", 200),
    "API JSON": (Role.CAREERS_LEADER, lambda w: "/api/v1/me/", 200),
    "API 404": (Role.CAREERS_LEADER, lambda w: "/api/v1/no-such-thing/", 404),
    "404 page": (Role.CAREERS_LEADER, lambda w: "/no-such-page/", 404),
    "another school's pupil (404)": (
        Role.CAREERS_LEADER,
        lambda w: f"/pupils/{w.b.pupil.pk}/",
        404,
    ),
    "admin": ("superuser", lambda w: "/admin/", 200),
}


@pytest.mark.parametrize("kind", PAGES)
def test_every_kind_of_page_sends_the_security_headers(client, world, kind):
    who, path_for, status = PAGES[kind]
    path = path_for(world)
    if who == "superuser":
        client.force_login(world.superuser)
    elif who is not None:
        client.force_login(world.a.users[who])
    response = client.get(path)
    assert response.status_code == status, (kind, path)
    assert_security_headers(response)


# -- No inline script, event handler or style in the templates

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
TAG = re.compile(r"<[a-z][^<>]*>", re.I)
HANDLER = re.compile(r"""[\s"'](on[a-z]+|hx-on\S*|data-hx-on\S*)\s*=""", re.I)


def inline_code(text: str, *, styles_allowed: bool = False) -> list[str]:
    """What in one template the CSP would refuse (template comments aside)."""
    text = re.sub(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", text, flags=re.S)
    found = [
        f"inline script: {m.group(0)[:60]!r}"
        for m in SCRIPT.finditer(text)
        if not re.search(r"\bsrc\s*=", m.group(1)) or m.group(2).strip()
    ]
    for tag in TAG.finditer(text):
        found += [f"event handler {h!r} in {tag.group(0)[:60]!r}" for h in HANDLER.findall(tag[0])]
        if not styles_allowed and re.search(r"""[\s"']style\s*=""", tag[0], re.I):
            found.append(f"style attribute in {tag.group(0)[:60]!r}")
    if re.search(r"javascript:", text, re.I):
        found.append("javascript: URL")
    if not styles_allowed and re.search(r"<style\b", text, re.I):
        found.append("<style> block")
    return found


def test_the_scanner_finds_what_the_csp_refuses():
    assert inline_code('<script src="/static/js/a.js" defer></script>') == []
    assert inline_code('<p class="one" data-online="1">one=two</p>') == []
    assert inline_code("{# no inline <style> or <script>alert(1)</script> #}") == []
    for bad in (
        "<script>alert(1)</script>",
        '<script type="module">import "x"</script>',
        '<script src="/a.js">alert(1)</script>',
        '<button type="button" onclick="go()">Go</button>',
        "<body\nonload='go()'>",
        '<div hx-on:click="go()">',
        '<div hx-on::after-request="go()">',
        '<a href="javascript:go()">',
        '<p style="color: red">',
        "<style>p { color: red }</style>",
    ):
        assert inline_code(bad), bad


def test_no_template_has_inline_script_event_handlers_or_styles():
    found = {}
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file() and path.suffix in {".html", ".txt", ".svg", ".js"}:
            problems = inline_code(path.read_text(), styles_allowed=PDF_TEMPLATES in path.parents)
            if problems:
                found[str(path.relative_to(TEMPLATES))] = problems
    assert found == {}

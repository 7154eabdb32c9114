"""The privacy page is generated from the code: every pupil-level model, every role the
access rules let see it, and the retention settings as they are set."""

import html
import re

import pytest
from django.db import models
from django.test.utils import isolate_apps
from django.urls import reverse

from access.rules import SCOPES
from privacy import catalogue

pytestmark = pytest.mark.django_db

# The models the issue names; discovery must find at least these.
NAMED = {
    "learners.Learner",
    "learners.Participation",
    "learners.SkillRating",
    "learners.PupilTransfer",
    "employers.Nomination",
    "employers.ParentalConsent",
    "reports.ReportRun",
}


def _page(client) -> str:
    response = client.get(reverse("privacy"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _section(page: str, label: str) -> str:
    slug = label.replace(".", "").lower()
    match = re.search(rf'<section aria-labelledby="{slug}">(.*?)</section>', page, re.S)
    assert match, f"no section for {label}"
    return match.group(1)


def test_discovery_finds_every_model_pointing_at_a_pupil():
    labels = {m._meta.label for m in catalogue.pupil_level_models()}
    assert labels >= NAMED
    assert "learners.PupilProgress" in labels and "access.AuditEvent" in labels
    # Not about a pupil: a class's experience, an employer, a hub.
    assert not labels & {"learners.Experience", "employers.Employer", "hubs.Hub"}


def test_the_page_lists_every_pupil_level_model_field_and_role(client):
    page = _page(client)
    for model in catalogue.pupil_level_models():
        label = model._meta.label
        section = _section(page, label)
        assert str(model._meta.verbose_name_plural).lower() in section.lower()
        for field in model._meta.concrete_fields:
            if not catalogue._is_internal(field):
                assert f'<th scope="row">{str(field.verbose_name)[:1].upper()}' in section
                assert str(field.verbose_name)[1:] in section
                assert str(field.help_text) in section
        # Exactly the roles the rules give rows of this model to, in plain words.
        shown = set(re.findall(r"<li><strong>(.*?)</strong>", section))
        assert shown == {role.label for role in SCOPES.get(label, {})}, label
        assert catalogue.NOT_DECLARED not in section, f"{label} has no retention period"


def test_role_notes_name_roles_the_rules_still_give():
    for label, role in catalogue.ROLE_NOTES:
        assert role in SCOPES[label], f"stale note for {role} on {label}"


def test_changing_a_retention_setting_changes_the_page(client, settings):
    before = _page(client)
    assert "Deleted 30 days after the placement ends." in before
    assert "for 3 academic years after they leave" in before
    assert "6 years, as school record-keeping guidance" in before
    settings.RETAIN_CONSENT_DETAILS_DAYS = 45
    settings.RETAIN_LEAVERS_ACADEMIC_YEARS = 2
    settings.RETAIN_AUDIT_YEARS = 7
    settings.RETAIN_VETTING_DOCUMENTS_DAYS = 400
    after = _page(client)
    consent = _section(after, "employers.ParentalConsent")
    assert "Deleted 45 days after the placement ends." in consent
    assert "30 days" not in consent
    assert "for 2 academic years after they leave" in _section(after, "learners.Learner")
    assert "7 years, as school record-keeping guidance" in _section(after, "access.AuditEvent")
    assert "deleted 400 days after the insurance expires" in after


def test_the_footer_links_to_the_page_for_everyone(client, world):
    from access.roles import Role

    assert reverse("privacy") in client.get(reverse("employer_request_new")).content.decode()
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    assert reverse("privacy") in client.get(reverse("home")).content.decode()


@isolate_apps("learners")
def test_a_new_model_about_pupils_appears_and_must_declare_its_period():
    from learners.models import Learner

    class PupilNote(models.Model):
        learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="+")
        text = models.TextField(help_text="What the teacher noted.")

        class Meta:
            app_label = "learners"

    class NoteCopy(models.Model):
        note = models.ForeignKey(PupilNote, on_delete=models.SET_NULL, null=True)

        class Meta:
            app_label = "learners"

    from django.apps import apps

    found = {r.label: r for r in catalogue.records([*apps.get_models(), PupilNote, NoteCopy])}
    note = found["learners.PupilNote"]
    assert [f.why for f in note.fields if f.name == "text"] == ["What the teacher noted."]
    assert note.kept.startswith("As long as the pupil's record")
    assert note.viewers == []  # no rule in SCOPES: nobody sees it
    # Not deleted with the pupil and no period declared: the page says so, and the test
    # above refuses it.
    assert found["learners.NoteCopy"].kept == catalogue.NOT_DECLARED

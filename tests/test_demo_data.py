import pytest
from django.core.management import call_command

from access.context import all_tenants_UNSAFE
from access.roles import Role
from hubs.models import Hub, Membership
from learners.academic import academic_year_of
from learners.models import Learner, Participation
from learners.upn import upn_validate
from schools.models import School

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("demo_data", "--schools-per-hub", "3", "--pupils-per-school", "40")


def test_it_builds_two_hubs_with_schools_pupils_and_histories(demo):
    with all_tenants_UNSAFE("test"):
        assert Hub.objects.count() == 2
        assert School.objects.count() == 6
        assert Learner.objects.count() > 100
        assert Participation.objects.exists()


def test_it_gives_every_pupil_a_valid_upn_and_their_schools_hub(demo):
    with all_tenants_UNSAFE("test"):
        for upn, hub_id, school_hub_id in Learner.objects.values_list(
            "upn", "hub_id", "school__hub_id"
        ):
            assert upn_validate(upn) == upn
            assert hub_id == school_hub_id


def test_it_has_pupils_in_every_year_from_7_to_11(demo):
    from django.utils import timezone

    year = academic_year_of(timezone.localdate())
    with all_tenants_UNSAFE("test"):
        cohorts = set(Learner.objects.values_list("cohort", flat=True))
    assert {year - (y - 7) for y in range(7, 12)} <= cohorts


def test_it_creates_one_account_per_role_per_hub(demo):
    with all_tenants_UNSAFE("test"):
        for role in (Role.HUB_LEAD, Role.CAREERS_LEADER, Role.SCHOOL_STAFF, Role.EMPLOYER):
            assert Membership.objects.filter(role=role).count() == 2
        assert Membership.objects.filter(role=Role.NATIONAL_ANALYST).count() == 1


def test_it_gives_the_trust_across_hubs_a_careers_lead_one_school_shares_pupils_with(demo):
    from access.actor import actor_for_user

    with all_tenants_UNSAFE("test"):
        lead = Membership.objects.select_related("user").get(role=Role.TRUST_LEAD)
    assert lead.trust.name == "Northern Lights Academy Trust"
    actor = actor_for_user(lead.user)
    assert len(actor.trust_named_pupil_school_ids) == 1
    assert set(actor.trust_named_pupil_school_ids) <= set(actor.trust_school_ids)


def test_running_it_again_changes_nothing(demo):
    with all_tenants_UNSAFE("test"):
        before = Learner.objects.count()
    call_command("demo_data")
    with all_tenants_UNSAFE("test"):
        assert Learner.objects.count() == before


def test_reset_rebuilds_at_the_requested_size(demo):
    call_command(
        "demo_data",
        "--reset",
        "--hubs",
        "1",
        "--schools-per-hub",
        "2",
        "--pupils-per-school",
        "25",
        "--no-history",
    )
    with all_tenants_UNSAFE("test"):
        assert Hub.objects.count() == 1
        assert School.objects.count() == 2
        assert not Participation.objects.exists()


def test_it_has_a_placement_pipeline_made_through_the_services(demo):
    from employers.models import EmployerVetting, Nomination, Opportunity, ParentalConsent

    with all_tenants_UNSAFE("test"):
        for hub in Hub.objects.all():
            states = set(Nomination.objects.filter(hub=hub).values_list("status", flat=True))
            assert states >= {"nominated", "offered", "accepted", "declined", "refused_full"}
            reviews = set(EmployerVetting.objects.filter(hub=hub).values_list("review", flat=True))
            assert reviews == {"approved", "waiting", "changes", "refused"}
            offered = Opportunity.objects.filter(visible_to_hubs=hub)
            assert set(offered.values_list("status", flat=True)) == {"published", "draft"}
            answers = set(ParentalConsent.objects.filter(hub=hub).values_list("answer", flat=True))
            assert answers == {"given", "refused", "waiting"}
            # Attendance to confirm: begun, places held, not yet confirmed; and one confirmed.
            from django.utils import timezone

            begun = offered.filter(
                start_date__lte=timezone.localdate(), nominations__status="accepted"
            ).distinct()
            assert begun.filter(attendance_confirmed_at__isnull=True).exists()
            assert begun.filter(attendance_confirmed_at__isnull=False).exists()
            assert Nomination.objects.filter(hub=hub, participation__isnull=False).exists()


def test_it_opens_pupil_access_for_a_year_9_class_and_one_pupil_has_had_their_say(demo):
    from learners.models import SkillRating
    from pupils.models import OpportunityInterest, PupilAccount, Reflection

    with all_tenants_UNSAFE("test"):
        for hub in Hub.objects.all():
            accounts = PupilAccount.objects.filter(hub=hub)
            assert accounts.exists()
            assert not accounts.filter(code_digest__isnull=True).exists()
            reflection = Reflection.objects.get(hub=hub)
            assert reflection.participation.reflection_done
            ratings = SkillRating.objects.filter(learner_id=reflection.learner_id, rater="self")
            assert set(ratings.values_list("moment", flat=True)) == {"before", "after"}
            assert OpportunityInterest.objects.filter(hub=hub).count() <= 1


def test_it_has_a_template_and_a_published_plan_with_something_delivered(demo):
    from programmes.models import ProgrammePlan

    with all_tenants_UNSAFE("test"):
        for hub in Hub.objects.all():
            plans = ProgrammePlan.objects.filter(hub=hub, status="published")
            template = plans.get(school__isnull=True)
            plan = plans.get(school__isnull=False)
            assert plan.copied_from_id == template.pk
            assert plan.activities.count() == template.activities.count() + 1
            assert plan.activities.filter(experiences__isnull=False).exists()

import pytest
from django.core import checks

from access.actor import actor_for_user
from access.context import ScopeNotSet, acting_as, all_tenants_UNSAFE
from access.roles import Role
from employers.models import Employer
from hubs.models import Hub
from learners.models import Learner
from schools.models import School, Trust

pytestmark = pytest.mark.django_db


def test_querying_tenant_data_with_no_actor_raises_instead_of_returning_everything(world):
    with pytest.raises(ScopeNotSet):
        list(Learner.objects.all())
    with pytest.raises(ScopeNotSet):
        School.objects.count()


def test_the_scope_is_reset_after_the_block(world):
    with acting_as(actor_for_user(world.a.users[Role.CAREERS_LEADER])):
        assert Learner.objects.count() == 1
    with pytest.raises(ScopeNotSet):
        Learner.objects.count()


def test_a_careers_leader_sees_only_their_schools_pupils(world):
    with acting_as(actor_for_user(world.a.users[Role.CAREERS_LEADER])):
        assert list(Learner.objects.all()) == [world.a.pupil]
        assert list(School.objects.all()) == [world.a.school]
        assert list(Hub.objects.all()) == [world.a.hub]


def test_a_hub_lead_sees_the_hubs_schools_but_no_pupil_rows(world):
    with acting_as(actor_for_user(world.a.users[Role.HUB_LEAD])):
        assert set(School.objects.all()) == {world.a.school, world.a.sibling_school}
        assert Learner.objects.count() == 0
        assert list(Trust.objects.all()) == [world.a.school.trust]


def test_an_employer_sees_its_organisation_and_partner_hubs_only(world):
    with acting_as(actor_for_user(world.a.users[Role.EMPLOYER])):
        assert list(Employer.objects.all()) == [world.a.employer]
        assert list(Hub.objects.all()) == [world.a.hub]
        assert School.objects.count() == 0
        assert Learner.objects.count() == 0


def test_an_employer_partnered_with_two_hubs_appears_once(world):
    with all_tenants_UNSAFE("test"):
        world.a.employer.hubs.add(world.b.hub)
    with acting_as(actor_for_user(world.b.users[Role.HUB_LEAD])):
        names = list(Employer.objects.values_list("name", flat=True))
    assert names.count("Employer A") == 1


def test_a_national_analyst_sees_hubs_but_no_schools_or_pupils(world):
    with acting_as(actor_for_user(world.national_analyst)):
        assert Hub.objects.count() == 2
        assert School.objects.count() == 0
        assert Learner.objects.count() == 0


def test_a_user_without_membership_sees_nothing(world):
    from accounts.models import User

    with all_tenants_UNSAFE("test"):
        loner = User.objects.create_user("loner@example.org", "x" * 12)
    with acting_as(actor_for_user(loner)):
        assert Hub.objects.count() == 0
        assert Employer.objects.count() == 0


def test_every_tenant_model_has_an_access_rule():
    assert [e for e in checks.run_checks() if e.id.startswith("access.")] == []


def test_a_hub_lead_counts_their_hubs_pupils_only_inside_aggregates(world):
    actor = actor_for_user(world.a.users[Role.HUB_LEAD])
    with acting_as(actor):
        assert Learner.objects.count() == 0
    with acting_as(actor.for_aggregates()):
        assert set(Learner.objects.values_list("school__hub_id", flat=True)) == {world.a.hub.pk}


def test_aggregates_give_a_careers_leader_nothing_more(world):
    actor = actor_for_user(world.a.users[Role.CAREERS_LEADER]).for_aggregates()
    with acting_as(actor):
        assert list(Learner.objects.all()) == [world.a.pupil]

import pytest
from celery.result import AsyncResult
from django.conf import settings

from access.actor import actor_for_user
from access.roles import Role
from hubs.tasks import hub_census

from .workers import celery_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_process_consumes_a_task_from_the_broker_and_stores_its_result(world):
    hub_lead = actor_for_user(world.a.users[Role.HUB_LEAD])
    with celery_worker() as (queue, _process):
        sent = hub_census.apply_async(
            args=[world.a.hub.pk], kwargs={"actor": hub_lead.to_spec()}, queue=queue
        )
        result = sent.get(timeout=90)

    assert result == {"hub_id": world.a.hub.pk, "schools": 2, "pupils": 2, "fsm_pupils": 1}
    stored = AsyncResult(sent.id)
    assert stored.state == "SUCCESS"
    assert stored.result == result


def test_a_task_sees_only_what_its_actor_may_see(world):
    other_hub_lead = actor_for_user(world.b.users[Role.HUB_LEAD])
    with celery_worker() as (queue, _process):
        result = hub_census.apply_async(
            args=[world.a.hub.pk], kwargs={"actor": other_hub_lead.to_spec()}, queue=queue
        ).get(timeout=90)

    assert result == {"hub_id": world.a.hub.pk, "schools": 0, "pupils": 0, "fsm_pupils": 0}


def test_the_suite_uses_the_broker_it_was_given():
    # CI sets REDIS_URL: the worker tests above must then really go through Redis.
    import os

    if os.environ.get("REDIS_URL"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")

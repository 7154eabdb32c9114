from celery import shared_task

from access.context import current_actor
from access.tasks import ScopedTask
from hubs.selectors import hub_school_list


@shared_task(base=ScopedTask, bind=True)
def hub_census(self, hub_id: int) -> dict:
    """Count a hub's schools and pupils as the requesting actor sees them."""
    schools = hub_school_list(actor=current_actor(), hub_id=hub_id)
    return {
        "hub_id": hub_id,
        "schools": len(schools),
        "pupils": sum(school.pupil_count for school in schools),
        "fsm_pupils": sum(school.fsm_count for school in schools),
    }

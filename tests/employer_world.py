"""Opportunities, safety checks and nominations added to the test world (tests/conftest.py),
written directly so each test states only what it is about."""

from datetime import date, timedelta

from django.utils import timezone

from access.context import all_tenants_UNSAFE


def soon(days: int = 21) -> date:
    return timezone.localdate() + timedelta(days=days)


def make_vetting(employer, hub, *, expires=None, approved=True, approver=None):
    from employers.models import EmployerVetting

    with all_tenants_UNSAFE("test employer world"):
        return EmployerVetting.objects.create(
            employer=employer,
            hub=hub,
            insurance_expires=expires or soon(365),
            supervisor_name="Sam Supervisor",
            approved_by=approver,
            approved_at=timezone.now() if approved else None,
        )


def make_vetting_with_document(employer, hub):
    """An approved check with an uploaded insurance certificate (a private file)."""
    from django.core.files.base import ContentFile

    vetting = make_vetting(employer, hub)
    vetting.insurance_certificate.save(
        "insurance.pdf", ContentFile(b"%PDF-1.4 insurance"), save=True
    )
    return vetting


def make_opportunity(employer, hubs, *, status="published", capacity=5, **fields):
    from employers.models import Opportunity

    values = {
        "title": f"Placement at {employer.name}",
        "kind": "placement",
        "setting": "workplace",
        "tier": 3,
        "start_date": soon(),
        "year_groups": list(range(7, 14)),
        **fields,
    }
    values.setdefault("end_date", values["start_date"])
    with all_tenants_UNSAFE("test employer world"):
        opportunity = Opportunity.objects.create(
            employer=employer, capacity=capacity, status=status, **values
        )
        opportunity.visible_to_hubs.set(hubs)
    return opportunity


def make_nomination(opportunity, pupil, **fields):
    from employers.models import Nomination

    with all_tenants_UNSAFE("test employer world"):
        return Nomination.objects.create(
            hub_id=pupil.hub_id,
            school_id=pupil.school_id,
            opportunity=opportunity,
            learner=pupil,
            **fields,
        )


def make_pupils(
    school, count: int, *, year_group: int = 10, on=None, la_code: str = "888", **flags
):
    """`count` pupils of one school, in `year_group` on the day `on` (today by default),
    with valid UPNs (serials 5000 up, clear of the world's)."""
    from learners.academic import cohort_for
    from learners.models import Learner
    from learners.upn import upn_with_check_letter

    with all_tenants_UNSAFE("test employer world"):
        start = Learner.objects.filter(school__hub_id=school.hub_id).count()
        return [
            Learner.objects.create(
                school=school,
                upn=upn_with_check_letter(f"{la_code}{school.urn[-4:]}{5000 + start + i:05d}"),
                legal_first_name=f"Pupil{start + i}",
                surname=f"Surname{start + i}",
                cohort=cohort_for(year_group, on or timezone.localdate()),
                **flags,
            )
            for i in range(count)
        ]

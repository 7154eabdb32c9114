"""Programme plans and templates added to the test world (tests/conftest.py), written
directly so each test states only what it is about."""

from decimal import Decimal

from access.context import all_tenants_UNSAFE


def make_plan(school, cohort, *, status="published", title=None, activities=()):
    """A school's plan for a cohort; `activities` are dicts of PlannedActivity fields, with
    `objectives` (codes) and `sectors` (Sector rows) as lists."""
    from programmes.models import ProgrammePlan

    with all_tenants_UNSAFE("test programme world"):
        plan = ProgrammePlan.objects.create(
            hub_id=school.hub_id,
            school=school,
            cohort=cohort,
            title=title or f"Programme of the {cohort} cohort",
            status=status,
        )
    add_activities(plan, activities)
    return plan


def make_template(hub, *, status="published", title="Hub template", activities=()):
    from programmes.models import ProgrammePlan

    with all_tenants_UNSAFE("test programme world"):
        plan = ProgrammePlan.objects.create(hub=hub, title=title, status=status)
    add_activities(plan, activities)
    return plan


def add_activities(plan, activities):
    from outcomes.models import Objective
    from programmes.models import PlannedActivity

    made = []
    with all_tenants_UNSAFE("test programme world"):
        for spec in activities:
            spec = dict(spec)
            codes = spec.pop("objectives", ())
            sectors = spec.pop("sectors", ())
            values = {
                "title": "Planned activity",
                "kind": "workplace_visit",
                "setting": "workplace",
                "tier": 1,
                "year_group": 7,
                "term": "autumn",
                "expected_hours": Decimal(5),
                **spec,
            }
            activity = PlannedActivity.objects.create(plan=plan, **values)
            if codes:
                activity.objectives.set(
                    Objective.objects.filter(
                        code__in=codes, outcome__tier__framework__is_current=True
                    )
                )
            if sectors:
                activity.sectors.set(sectors)
            made.append(activity)
    return made

"""Write a plain world into the database (ORM, inside all_tenants_UNSAFE), with the users
who read it: a careers leader per school, a hub lead per hub, a national analyst."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.text import slugify

from access.context import all_tenants_UNSAFE
from access.roles import Role

from . import model as m

PASSWORD = "correct-horse-battery-staple"


@dataclass
class Loaded:
    """Database ids of the plain world's rows, and its users."""

    world: m.World
    ids: dict[str, dict[int, int]] = field(default_factory=dict)
    leaders: dict[int, object] = field(default_factory=dict)  # plain school id -> user
    hub_leads: dict[int, object] = field(default_factory=dict)  # plain hub id -> user
    analyst: object = None

    def db(self, kind: str, plain_id: int) -> int:
        return self.ids[kind][plain_id]

    def plain(self, kind: str, db_id: int) -> int:
        return {v: k for k, v in self.ids[kind].items()}[db_id]


def load(world: m.World, *, tag: str = "") -> Loaded:
    from accounts.models import User
    from employers.models import Employer, Nomination, Opportunity
    from hubs.models import Hub, Membership, Sector
    from learners.academic import academic_year_of
    from learners.models import Experience, Learner, Participation, SkillRating
    from outcomes.models import Objective, Skill
    from programmes.models import PlannedActivity, ProgrammePlan
    from schools.models import School

    loaded = Loaded(world)
    ids = loaded.ids
    with all_tenants_UNSAFE("oracle world"):
        ids["sectors"] = {
            s.id: Sector.objects.get_or_create(name=s.name, defaults={"slug": slugify(s.name)})[
                0
            ].pk
            for s in world.sectors
        }
        ids["hubs"] = {}
        for hub in world.hubs:
            row = Hub.objects.create(
                name=hub.name,
                region=hub.region,
                meaningful_criteria=sorted(hub.meaningful_criteria),
                ks3_virtual_cap_days=hub.ks3_virtual_cap_days,
            )
            row.growth_sectors.set([ids["sectors"][s] for s in hub.growth_sectors])
            ids["hubs"][hub.id] = row.pk
        ids["schools"] = {
            s.id: School.objects.create(
                hub_id=ids["hubs"][s.hub],
                urn=s.urn,
                name=s.name,
                type=s.type,
                local_authority="Oracle",
                fsm_percent=s.fsm_percent,
            ).pk
            for s in world.schools
        }
        ids["employers"] = {}
        for e in world.employers:
            row = Employer.objects.create(name=e.name, size_band=e.size_band)
            row.hubs.set([ids["hubs"][h] for h in e.hubs])
            ids["employers"][e.id] = row.pk
        schools = world.by_id("schools")
        ids["pupils"] = {
            p.id: Learner.objects.create(
                school_id=ids["schools"][p.school],
                hub_id=ids["hubs"][schools[p.school].hub],
                upn=p.upn,
                legal_first_name=p.first_name,
                surname=p.surname,
                cohort=p.cohort,
                fsm=p.fsm,
                disadvantaged=p.disadvantaged,
                send=p.send,
                left_on=p.left_on,
                registration_group=p.registration_group,
            ).pk
            for p in world.pupils
        }
        # Plans and their activities, one by one: PlannedActivity.save sets what it
        # denormalises (the plan's hub and school) as the services' saves do.
        ids["plans"] = {
            p.id: ProgrammePlan.objects.create(
                hub_id=ids["hubs"][p.hub],
                school_id=ids["schools"][p.school] if p.school is not None else None,
                cohort=p.cohort,
                title=p.title,
                status=p.status,
            ).pk
            for p in world.plans
        }
        objectives = dict(
            Objective.objects.filter(outcome__tier__framework__is_current=True).values_list(
                "code", "pk"
            )
        )
        ids["activities"] = {}
        for a in world.activities:
            row = PlannedActivity.objects.create(
                plan_id=ids["plans"][a.plan],
                title=a.title,
                kind=a.kind,
                setting=a.setting,
                tier=a.tier,
                year_group=a.year_group,
                term=a.term,
                expected_hours=a.expected_hours,
                audience=a.audience,
                groups=list(a.groups),
            )
            row.objectives.set([objectives[code] for code in a.objectives])
            ids["activities"][a.id] = row.pk
        experiences = Experience.objects.bulk_create(
            # bulk_create skips save(), so the denormalised hub and academic year are set
            # here exactly as Experience.save sets them.
            Experience(
                hub_id=ids["hubs"][schools[x.school].hub],
                school_id=ids["schools"][x.school],
                title=x.title,
                kind=x.kind,
                setting=x.setting,
                tier=x.tier,
                start_date=x.start,
                end_date=x.end,
                academic_year=academic_year_of(x.start),
                duration_hours=x.duration_hours,
                planned_activity_id=(
                    ids["activities"][x.planned_activity] if x.planned_activity else None
                ),
                **{f"meets_{c.lower()}": c in x.meets for c in ("M1", "M2", "M3", "M4", "M5")},
            )
            for x in world.experiences
        )
        ids["experiences"] = {
            x.id: row.pk for x, row in zip(world.experiences, experiences, strict=True)
        }
        Experience.employers.through.objects.bulk_create(
            Experience.employers.through(
                experience_id=ids["experiences"][x.id], employer_id=ids["employers"][e]
            )
            for x in world.experiences
            for e in x.employers
        )
        Experience.sectors.through.objects.bulk_create(
            Experience.sectors.through(
                experience_id=ids["experiences"][x.id], sector_id=ids["sectors"][s]
            )
            for x in world.experiences
            for s in x.sectors
        )
        pupils = world.by_id("pupils")
        # A participation carries the pupil's current school (a move takes history along).
        created = Participation.objects.bulk_create(
            Participation(
                hub_id=ids["hubs"][schools[pupils[p.pupil].school].hub],
                school_id=ids["schools"][pupils[p.pupil].school],
                experience_id=ids["experiences"][p.experience],
                learner_id=ids["pupils"][p.pupil],
                start_date=world.by_id("experiences")[p.experience].start,
                hours_attended=p.hours_attended,
                absent=p.absent,
                employer_feedback_given=p.employer_feedback,
                reflection_done=p.reflected,
            )
            for p in world.participations
        )
        ids["participations"] = {
            p.id: row.pk for p, row in zip(world.participations, created, strict=True)
        }
        skills = dict(Skill.objects.values_list("position", "pk"))
        SkillRating.objects.bulk_create(
            SkillRating(
                hub_id=ids["hubs"][schools[pupils[r.pupil].school].hub],
                school_id=ids["schools"][pupils[r.pupil].school],
                learner_id=ids["pupils"][r.pupil],
                skill_id=skills[r.skill],
                step=r.step,
                rater="self",
                moment=r.moment,
                rated_on=r.rated_on,
                experience_id=ids["experiences"][r.experience],
            )
            for r in world.self_ratings
        )
        ids["opportunities"] = {}
        for o in world.opportunities:
            row = Opportunity.objects.create(
                employer_id=ids["employers"][o.employer],
                title=f"Oracle opportunity {o.id}",
                kind="placement",
                setting="workplace",
                tier=2,
                start_date=o.start,
                end_date=o.start,
                capacity=o.capacity,
                status=o.status,
            )
            row.visible_to_hubs.set([ids["hubs"][h] for h in o.visible_to_hubs])
            ids["opportunities"][o.id] = row.pk
        Nomination.objects.bulk_create(
            Nomination(
                hub_id=ids["hubs"][schools[pupils[n.pupil].school].hub],
                school_id=ids["schools"][pupils[n.pupil].school],
                opportunity_id=ids["opportunities"][n.opportunity],
                learner_id=ids["pupils"][n.pupil],
                status=n.status,
            )
            for n in world.nominations
        )
        prefix = f"oracle{tag}{world.hubs[0].name.split()[2]}"
        for school in world.schools:
            user = User.objects.create_user(f"{prefix}.leader{school.id}@example.org", PASSWORD)
            Membership.objects.create(
                user=user, role=Role.CAREERS_LEADER, school_id=ids["schools"][school.id]
            )
            loaded.leaders[school.id] = user
        for hub in world.hubs:
            user = User.objects.create_user(f"{prefix}.lead{hub.id}@example.org", PASSWORD)
            Membership.objects.create(user=user, role=Role.HUB_LEAD, hub_id=ids["hubs"][hub.id])
            loaded.hub_leads[hub.id] = user
        loaded.analyst = User.objects.create_user(f"{prefix}.analyst@example.org", PASSWORD)
        Membership.objects.create(user=loaded.analyst, role=Role.NATIONAL_ANALYST)
    return loaded

"""Demo data: hubs, trusts, schools, employers, pupils with histories, one account per role.

manage.py demo_data                      # 2 hubs x 6 schools x 120 pupils (seconds)
manage.py demo_data --schools-per-hub 150 --pupils-per-school 1000 --reset   # benchmark
"""

import random
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from access.actor import Actor
from access.context import all_tenants_UNSAFE
from access.roles import Role
from employers.models import Employer, EmployerRequest
from hubs.models import Hub, Membership, Sector
from learners.academic import academic_year_of, cohort_for
from learners.ledger import ledger_rebuild
from learners.models import Experience, Learner, Participation
from learners.upn import upn_with_check_letter
from schools.models import School, Trust

HUBS = [
    ("Greater Lancashire Careers Hub", "North West", "888", "Lancashire"),
    ("Tees Valley Careers Hub", "North East", "806", "Middlesbrough"),
    ("Black Country Careers Hub", "West Midlands", "333", "Sandwell"),
    ("Solent Careers Hub", "South East", "852", "Southampton"),
]
# The postcode area of each demo hub, in HUBS order (schools' distance bands use them).
POSTCODE_AREAS = ["PR", "TS", "B", "SO"]
SCHOOL_WORDS = [
    "Oakfield",
    "Riverside",
    "St Anne's",
    "Hillcrest",
    "Moorside",
    "Beacon",
    "Kingsway",
    "Harbour",
    "Parkland",
    "Westfield",
    "Brookvale",
    "Castle View",
]
FIRST_NAMES = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Freya",
    "Lily",
    "Grace",
    "Aisha",
    "Zara",
    "Noah",
    "Oliver",
    "George",
    "Muhammad",
    "Leo",
    "Harry",
    "Oscar",
    "Jack",
    "Arthur",
    "Charlie",
    "Alfie",
    "Ibrahim",
    "Kacper",
    "Priya",
    "Siân",
    "Zoë",
    "Chloe",
    "Ethan",
    "Jayden",
    "Ruby",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "Khan",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Hughes",
    "O'Neill",
    "Begum",
    "Ahmed",
    "Kowalski",
    "Clarke",
    "Nowak",
    "Ali",
    "Lewis",
    "Harris",
]
EMPLOYER_WORDS = [
    "Northern Rail",
    "Pennine Foods",
    "Bright Build",
    "Harbour Logistics",
    "Cedar Care",
    "Nimbus Digital",
    "Greenfield Energy",
    "Castle Law",
    "Riverside Hospital Trust",
    "Summit Engineering",
    "Meadow Farms",
    "Lantern Theatre",
    "Quay Hotels",
    "Apex Finance",
    "Oak Dental",
    "Vale Motors",
    "Kite Studios",
    "Forge Robotics",
    "City Council",
    "Peak Gyms",
]
SCHOOL_TYPES = [
    (School.Type.MAINSTREAM, 78),
    (School.Type.SPECIAL, 10),
    (School.Type.ALTERNATIVE, 6),
    (School.Type.POST16, 6),
]
FIRST_TYPES = [
    School.Type.MAINSTREAM,
    School.Type.MAINSTREAM,
    School.Type.SPECIAL,
    School.Type.ALTERNATIVE,
    School.Type.POST16,
]
PASSWORD = "equalex-demo-2025"


class Command(BaseCommand):
    help = "Create demo hubs, schools, employers, pupils with histories and one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--hubs", type=int, default=2, choices=range(1, len(HUBS) + 1))
        parser.add_argument("--schools-per-hub", type=int, default=6)
        parser.add_argument("--pupils-per-school", type=int, default=120)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--password", default=PASSWORD)
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="Pupils only, no experiences (faster at benchmark sizes).",
        )
        parser.add_argument("--reset", action="store_true", help="Delete all tenant data first.")

    def handle(self, *args, **options):
        # The emails the pipeline's services send (after the commit) are not printed: the
        # demo prints one parent's link itself.
        quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
        with quiet, all_tenants_UNSAFE("demo data"), transaction.atomic():
            if options["reset"]:
                self._reset()
            elif Hub.objects.exists():
                self.stdout.write("Demo data is already loaded (use --reset to rebuild).")
                self._print_accounts(options["password"])
                return
            self._build(options)
            # Bulk-loaded past the services, so the ledger is counted once at the end.
            ledger_rebuild()
            # Made through the services (which keep the ledger themselves), so every page
            # of the placement pipeline has something to show.
            hubs = list(Hub.all_tenants_UNSCOPED.order_by("pk"))
            links = [self._placements(hub) for hub in hubs]
            codes = [self._pupil_voice(hub) for hub in hubs]
            from programmes.demo import programmes_demo

            for hub in hubs:
                programmes_demo(hub, log_experience=not options["no_history"])
            self._print_accounts(options["password"])
            for link in links:
                if link:
                    self.stdout.write(f"  A parent's consent link to try: {link}")
            for code in codes:
                if code:
                    self.stdout.write(
                        f"  A pupil's sign-in code to try at {settings.SITE_URL}/sign-in/code/: "
                        f"{code} (shown once; a careers leader prints new ones at Pupil access)"
                    )

    def _reset(self):
        from programmes.models import ProgrammePlan

        for model in (ProgrammePlan, Participation, Experience, Learner, Membership, School, Trust):
            model.all_tenants_UNSCOPED.all().delete()
        Employer.all_tenants_UNSCOPED.all().delete()
        Hub.all_tenants_UNSCOPED.all().delete()
        get_user_model().objects.filter(email__endswith=".demo.equalex.org.uk").delete()
        # Pupils' accounts (pupils/) have addresses of their own that nobody is sent to.
        get_user_model().objects.filter(email__endswith="@pupils.equalex.invalid").delete()

    def _build(self, options):
        rng = random.Random(options["seed"])
        today = timezone.localdate()
        sectors = list(Sector.objects.order_by("name"))
        hubs = []
        for name, region, _la, _la_name in HUBS[: options["hubs"]]:
            hub = Hub.all_tenants_UNSCOPED.create(name=name, region=region)
            hub.growth_sectors.set(rng.sample(sectors, rng.randint(3, 5)))
            hubs.append(hub)

        spanning = Trust.all_tenants_UNSCOPED.create(name="Northern Lights Academy Trust")
        employers = Employer.all_tenants_UNSCOPED.bulk_create(
            Employer(
                name=f"{EMPLOYER_WORDS[n % len(EMPLOYER_WORDS)]}"
                + (f" {n // len(EMPLOYER_WORDS) + 1}" if n >= len(EMPLOYER_WORDS) else ""),
                size_band=rng.choices(["micro", "small", "medium", "large"], [30, 30, 20, 20])[0],
                sector=rng.choice(sectors),
                postcode=f"{rng.choice(['PR', 'TS', 'B', 'SO'])}{rng.randint(1, 20)} "
                f"{rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
            )
            for n in range(max(20, 8 * len(hubs)))
        )
        through = Employer.hubs.through
        links = set()
        for index, employer in enumerate(employers):
            links.add((employer.pk, hubs[index % len(hubs)].pk))
            if rng.random() < 0.3:
                links.add((employer.pk, rng.choice(hubs).pk))
        through.objects.bulk_create(through(employer_id=e, hub_id=h) for e, h in sorted(links))

        urn = 100000
        serial = 0
        first_schools = {}
        all_pupils = []
        for hub_index, hub in enumerate(hubs):
            _name, _region, la_code, la_name = HUBS[hub_index]
            trusts = [
                spanning,
                *Trust.all_tenants_UNSCOPED.bulk_create(
                    Trust(name=f"{hub.name.split(' Careers')[0]} Learning Trust {n + 1}")
                    for n in range(3)
                ),
            ]
            schools = []
            total = options["schools_per_hub"]
            for n in range(total):
                # Every hub of five or more schools shows each type at least once.
                kind = (
                    FIRST_TYPES[n]
                    if n < len(FIRST_TYPES) and total >= 5
                    else rng.choices([t for t, _ in SCHOOL_TYPES], [w for _, w in SCHOOL_TYPES])[0]
                )
                fsm = {School.Type.SPECIAL: 42, School.Type.ALTERNATIVE: 55}.get(kind, 22)
                urn += 1
                suffix = {
                    School.Type.MAINSTREAM: "Academy",
                    School.Type.SPECIAL: "School",
                    School.Type.ALTERNATIVE: "Learning Centre",
                    School.Type.POST16: "Sixth Form College",
                }[kind]
                word = SCHOOL_WORDS[(n + 5 * hub_index) % len(SCHOOL_WORDS)]
                number = f" {n // len(SCHOOL_WORDS) + 1}" if n >= len(SCHOOL_WORDS) else ""
                schools.append(
                    School(
                        hub=hub,
                        trust=rng.choice([*trusts, None]),
                        urn=str(urn),
                        name=f"{word} {suffix}{number}",
                        type=kind,
                        local_authority=la_name,
                        fsm_percent=round(max(3, min(70, rng.gauss(fsm, 8))), 1),
                        postcode=f"{POSTCODE_AREAS[hub_index % len(POSTCODE_AREAS)]}"
                        f"{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}"
                        f"{rng.choice('LNPQRSTU')}",
                    )
                )
            schools = School.all_tenants_UNSCOPED.bulk_create(schools)
            first_schools[hub.pk] = schools[0]
            pupils = []
            for school in schools:
                years = (12, 13) if school.type == School.Type.POST16 else (7, 8, 9, 10, 11)
                size = options["pupils_per_school"]
                if school.type in (School.Type.SPECIAL, School.Type.ALTERNATIVE):
                    size = max(10, size // 5)
                rate = float(school.fsm_percent) / 100
                for i in range(size):
                    serial += 1
                    year_group = years[i % len(years)]
                    fsm = rng.random() < rate
                    send = (
                        ("E" if rng.random() < 0.7 else "K")
                        if school.type == School.Type.SPECIAL
                        else rng.choices("NKE", [84.5, 13, 2.5])[0]
                    )
                    pupils.append(
                        Learner(
                            hub_id=hub.pk,
                            school=school,
                            upn=upn_with_check_letter(
                                f"{la_code}{school.urn[-4:]}{serial % 10**5:05d}"
                            ),
                            legal_first_name=rng.choice(FIRST_NAMES),
                            surname=rng.choice(SURNAMES),
                            cohort=cohort_for(year_group, today),
                            registration_group=f"{year_group}{'ABCDEF'[i % 6]}",
                            fsm=fsm,
                            disadvantaged=fsm or rng.random() < 0.06,
                            send=send,
                            looked_after=rng.random() < 0.007,
                        )
                    )
            all_pupils += Learner.all_tenants_UNSCOPED.bulk_create(pupils, batch_size=2000)
            if not options["no_history"]:
                self._histories(rng, hub, schools, pupils, employers, links, sectors, today)
        self._accounts(hubs, first_schools, employers, links, options["password"])
        self._trust_lead(spanning, options["password"])
        self._employer_requests(hubs, sectors)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {len(hubs)} hubs, {School.all_tenants_UNSCOPED.count()} schools, "
                f"{len(employers)} employers, {len(all_pupils)} pupils and "
                f"{Participation.all_tenants_UNSCOPED.count()} participations."
            )
        )

    def _placements(self, hub) -> str | None:
        """One hub's placement pipeline, made by its demo accounts through the services:
        safety checks in every state, published opportunities (one full, one a draft, one
        begun with attendance to confirm, one past with attendance confirmed), nominations
        in every state, consent given, refused and missing. Returns a parent's link."""
        import secrets

        from access.actor import actor_for_user
        from access.context import acting_as
        from employers import services
        from employers.attendance import Attendance, attendance_confirm
        from employers.consent import ConsentDetails, _digest, consent_answer, consent_request
        from employers.models import EmployerVetting, Nomination, ParentalConsent

        tag = hub.name.split()[0].lower().replace("'", "")
        accounts = {
            m.role: m
            for m in Membership.all_tenants_UNSCOPED.select_related("user").filter(
                user__email__endswith=f"@{tag}.demo.equalex.org.uk"
            )
        }
        if not {Role.HUB_LEAD, Role.CAREERS_LEADER, Role.EMPLOYER} <= set(accounts):
            return None
        lead = actor_for_user(accounts[Role.HUB_LEAD].user)
        leader = actor_for_user(accounts[Role.CAREERS_LEADER].user)
        employer = actor_for_user(accounts[Role.EMPLOYER].user)
        today = timezone.localdate()

        def check(actor, decision="", reason=""):
            with acting_as(actor):
                vetting = services.vetting_submit(
                    actor=actor,
                    hub_id=hub.pk,
                    insurance_expires=today + timedelta(days=300),
                    supervisor_name="Sam Okafor",
                )
            if decision:
                with acting_as(lead):
                    services.vetting_decide(
                        actor=lead, vetting_id=vetting.pk, decision=decision, reason=reason
                    )

        if not EmployerVetting.all_tenants_UNSCOPED.filter(
            employer_id=employer.employer_id, hub=hub
        ).exists():
            check(employer, "approved")
        # Three more partners' checks, as the partners themselves send them (no account
        # needed for that here), waiting, sent back and refused.
        others = list(
            Employer.all_tenants_UNSCOPED.filter(hubs=hub)
            .exclude(pk=employer.employer_id)
            .exclude(vettings__hub=hub)
            .order_by("pk")[:3]
        )
        reasons = [
            ("", ""),
            ("changes", "Please add a risk assessment that covers pupils under 18."),
            ("refused", "The insurance certificate is for a different company."),
        ]
        for other, (decision, reason) in zip(others, reasons, strict=False):
            partner = Actor(
                role=Role.EMPLOYER,
                employer_id=other.pk,
                partner_hub_ids=tuple(other.hubs.values_list("pk", flat=True)),
            )
            check(partner, decision, reason)

        with acting_as(leader):
            year_10 = list(
                Learner.objects.filter(
                    school_id=leader.school_id,
                    cohort__in=[cohort_for(10, today), cohort_for(11, today)],
                ).order_by("-cohort", "surname", "pk")[:16]
            )
        if len(year_10) < 16:
            return None

        def offer(title, kind, start, days, capacity, *, publish=True):
            with acting_as(employer):
                opportunity = services.opportunity_create(
                    actor=employer,
                    title=title,
                    kind=kind,
                    setting="workplace",
                    tier=3 if kind == "placement" else 2,
                    start_date=start,
                    end_date=start + timedelta(days=days - 1),
                    capacity=capacity,
                    year_groups=[10, 11],
                    hub_ids=[hub.pk],
                    description="A week in our workshop and offices, with a project to present.",
                    postcode="PR1 2HE",
                    accessibility_notes="Step-free access; a quiet room is available.",
                    criteria=["M1", "M2", "M3", "M4", "M5"],
                )
                if publish:
                    opportunity = services.opportunity_publish(
                        actor=employer, opportunity=opportunity
                    )
            return opportunity

        def nominate(opportunity, pupils):
            with acting_as(leader):
                return services.nomination_create(
                    actor=leader,
                    opportunity=opportunity,
                    learners=pupils,
                    shared_support_needs="",
                )

        def allocate(nomination):
            with acting_as(employer):
                try:
                    return services.place_allocate(actor=employer, nomination=nomination)
                except services.NoPlaceLeft:
                    return None

        def decide(nomination, accept, reason=""):
            with acting_as(employer):
                services.nomination_decide(
                    actor=employer, nomination=nomination, accept=accept, reason=reason
                )

        def ask_consent(nomination, answer=None):
            with acting_as(leader):
                consent = consent_request(
                    actor=leader,
                    nomination_id=nomination.pk,
                    parent_email=f"parent.{nomination.learner_id}@example.org",
                )
            # The emailed link's token is not kept; the demo answers as the parent would,
            # through a link of its own.
            token = secrets.token_urlsafe(32)
            ParentalConsent.all_tenants_UNSCOPED.filter(pk=consent.pk).update(
                token_digest=_digest(token)
            )
            if answer is not None:
                consent_answer(
                    token=token,
                    give=answer,
                    signed_by="Jo Parent",
                    details=ConsentDetails(
                        emergency_contact_name="Jo Parent",
                        emergency_contact_phone="07700 900123",
                        medical_needs="Asthma: carries an inhaler.",
                        share_needs_with_employer=True,
                        travel_arrangements="Takes the number 12 bus.",
                    )
                    if answer
                    else None,
                )
            return token

        # Coming up, with every state of a nomination and consent asked.
        week = offer("Engineering placement week", "placement", today + timedelta(days=21), 5, 6)
        nominated = nominate(week, year_10[:8])
        for nomination in nominated[:4]:
            allocate(nomination)
        decide(nominated[0], True)
        decide(nominated[1], True)
        decide(nominated[4], False, "We can only take pupils who can travel to Preston.")
        ask_consent(nominated[0], answer=True)
        ask_consent(nominated[1], answer=False)
        link_token = ask_consent(nominated[2])
        # Full: the third pupil nominated finds no place left.
        insight = offer("Office insight day", "insight_day", today + timedelta(days=14), 1, 2)
        for nomination in nominate(insight, year_10[8:11]):
            allocate(nomination)
        # Begun today: consent given for some, missing for one; attendance to confirm.
        visit = offer("Site visit and shadowing", "work_shadowing", today, 2, 4)
        begun = nominate(visit, year_10[11:15])
        for nomination in begun:
            allocate(nomination)
            decide(nomination, True)
        for nomination in begun[:3]:
            ask_consent(nomination, answer=True)
        ask_consent(begun[3])
        # Over, attendance confirmed with feedback: recorded as the pupils' experience.
        past = offer("Hospital porter shadowing", "work_shadowing", today, 1, 2)
        done = nominate(past, year_10[15:16])
        allocate(done[0])
        decide(done[0], True)
        ask_consent(done[0], answer=True)
        with acting_as(employer):
            attendance_confirm(
                actor=employer,
                opportunity_id=past.pk,
                duration_hours=5,
                records=[
                    Attendance(
                        nomination_id=done[0].pk,
                        attended=True,
                        feedback="Asked good questions and was on time every day.",
                    )
                ],
            )
        offer("Summer design sprint", "placement", today + timedelta(days=120), 5, 4, publish=False)
        assert Nomination.all_tenants_UNSCOPED.filter(hub=hub).exists()
        from django.conf import settings

        return f"{settings.SITE_URL}/consent/{link_token}/"

    def _pupil_voice(self, hub) -> str | None:
        """Pupil access for the first school's Year 9 (issue 15), through the services: one
        pupil signs in, reflects on their latest experience, rates their skills before and
        after it and asks to try a published opportunity. Returns that pupil's code."""
        from access.actor import actor_for_user
        from access.context import acting_as
        from outcomes.models import Skill
        from pupils import services as voice

        tag = hub.name.split()[0].lower().replace("'", "")
        membership = (
            Membership.all_tenants_UNSCOPED.select_related("user")
            .filter(user__email=f"careers.leader@{tag}.demo.equalex.org.uk")
            .first()
        )
        if membership is None:
            return None
        today = timezone.localdate()
        leader = actor_for_user(membership.user)
        year_9 = Learner.all_tenants_UNSCOPED.filter(
            school_id=membership.school_id, cohort=cohort_for(9, today), left_on__isnull=True
        )
        with acting_as(leader):
            issued = voice.pupil_access_enable(
                actor=leader, learner_ids=year_9.values_list("pk", flat=True), valid_days=30
            )
        # The pupil with the most recent experience that has happened.
        latest = (
            Participation.all_tenants_UNSCOPED.filter(
                learner__in=year_9, absent=False, experience__start_date__lte=today
            )
            .order_by("-experience__start_date", "pk")
            .first()
        )
        if latest is None:
            return issued[0].code if issued else None
        pupil = next(i for i in issued if i.learner.pk == latest.learner_id)
        from pupils.models import PupilAccount

        account = PupilAccount.all_tenants_UNSCOPED.get(learner_id=latest.learner_id)
        me = actor_for_user(account.user)
        skills = list(Skill.objects.order_by("position"))
        with acting_as(me):
            voice.self_ratings_record(
                actor=me,
                participation_id=latest.pk,
                moment="before",
                steps={s.pk: 3 + n % 4 for n, s in enumerate(skills)},
            )
            voice.reflection_save(
                actor=me,
                participation_id=latest.pk,
                what_i_did="Shadowed the team for the day and helped to set up a meeting.",
                what_i_learned="Everyone plans their week, and asks questions when unsure.",
                skill_ids=[skills[0].pk, skills[7].pk],
                what_next="Find out about apprenticeships in this sector.",
            )
            voice.self_ratings_record(
                actor=me,
                participation_id=latest.pk,
                moment="after",
                steps={s.pk: 4 + n % 5 for n, s in enumerate(skills)},
            )
            from pupils.selectors import opportunity_list_for_pupil

            wanted = opportunity_list_for_pupil(actor=me)
            if wanted:
                voice.interest_say(
                    actor=me, opportunity_id=wanted[0].pk, why="It sounds like my kind of job."
                )
        return pupil.code

    def _employer_requests(self, hubs, sectors):
        """One organisation per hub waiting for its hub lead (the Employers joining page)."""
        EmployerRequest.all_tenants_UNSCOPED.bulk_create(
            EmployerRequest(
                hub=hub,
                name=f"{hub.name.split()[0]} Community Bakery",
                size_band="micro",
                sector=sectors[0],
                postcode="PR1 2AB",
                contact_name="Robin Baker",
                contact_email=f"robin.baker{n}@bakery.example",
                message="We could host two Year 10 pupils for a week in June.",
            )
            for n, hub in enumerate(hubs)
        )

    def _histories(self, rng, hub, schools, pupils, employers, links, sectors, today):
        """A few experiences a year for each year group, each for a class-sized group."""
        partners = [e for e in employers if (e.pk, hub.pk) in links]
        by_school_cohort = {}
        for pupil in pupils:
            by_school_cohort.setdefault((pupil.school_id, pupil.cohort), []).append(pupil)
        plans = [
            ("workplace_visit", "workplace", 5, 1),
            ("virtual_experience", "virtual", 2.5, 1),
            ("employer_project", "in_school", 5, 2),
            ("insight_day", "community", 5, 2),
            ("work_shadowing", "workplace", 5, 2),
        ]
        experiences, members = [], []
        school_by_id = {s.pk: s for s in schools}
        for (school_id, cohort), group in by_school_cohort.items():
            for academic_year in range(
                max(cohort, academic_year_of(today) - 4), academic_year_of(today) + 1
            ):
                year_group = 7 + academic_year - cohort
                chosen = [p for p in plans if rng.random() < 0.95]
                if year_group in (10, 11) and rng.random() < 0.7:
                    chosen.append(("placement", "workplace", 25, 3))
                for kind, setting, hours, tier in chosen:
                    day = date(academic_year, 9, 15) + timedelta(days=rng.randrange(300))
                    if day >= today:
                        continue
                    experiences.append(
                        Experience(
                            hub_id=hub.pk,
                            school=school_by_id[school_id],
                            title=f"{kind.replace('_', ' ').capitalize()} (Year {year_group})",
                            kind=kind,
                            setting=setting,
                            tier=tier,
                            start_date=day,
                            end_date=day + timedelta(days=4 if hours == 25 else 0),
                            academic_year=academic_year,
                            duration_hours=hours,
                            meets_m1=True,
                            meets_m2=True,
                            meets_m3=rng.random() < 0.85,
                            meets_m4=rng.random() < 0.5,
                            meets_m5=rng.random() < 0.6,
                        )
                    )
                    share = 0.85 if kind == "placement" else rng.uniform(0.6, 1.0)
                    members.append([p for p in group if rng.random() < share])
        experiences = Experience.all_tenants_UNSCOPED.bulk_create(experiences, batch_size=2000)
        employer_links = Experience.employers.through
        employer_links.objects.bulk_create(
            employer_links(experience_id=e.pk, employer_id=employer.pk)
            for e in experiences
            for employer in rng.sample(partners, min(2, len(partners)))
        )
        sector_links = Experience.sectors.through
        sector_links.objects.bulk_create(
            sector_links(experience_id=e.pk, sector_id=rng.choice(sectors).pk) for e in experiences
        )
        Participation.all_tenants_UNSCOPED.bulk_create(
            (
                Participation(
                    hub_id=hub.pk,
                    school_id=pupil.school_id,
                    experience=experience,
                    learner=pupil,
                    start_date=experience.start_date,
                    absent=(absent := rng.random() < 0.05),
                    hours_attended=0 if absent else experience.duration_hours,
                    employer_feedback_given=rng.random() < 0.6,
                    reflection_done=rng.random() < 0.5,
                )
                for experience, group in zip(experiences, members, strict=True)
                for pupil in group
            ),
            batch_size=5000,
        )

    def _accounts(self, hubs, first_schools, employers, links, password):
        User = get_user_model()

        def user(email, name, **extra):
            return User.objects.create_user(email, password, full_name=name, **extra)

        memberships = []
        for hub in hubs:
            tag = hub.name.split()[0].lower().replace("'", "")
            school = first_schools[hub.pk]
            employer = next(e for e in employers if (e.pk, hub.pk) in links)
            for role, local, org in (
                (Role.HUB_LEAD, "hub.lead", {"hub": hub}),
                (Role.CAREERS_LEADER, "careers.leader", {"school": school}),
                (Role.SCHOOL_STAFF, "teacher", {"school": school}),
                (Role.EMPLOYER, "employer", {"employer": employer}),
            ):
                account = user(f"{local}@{tag}.demo.equalex.org.uk", f"{role.label} ({tag})")
                memberships.append(Membership(user=account, role=role, **org))
        analyst = user("analyst@national.demo.equalex.org.uk", "National analyst")
        memberships.append(Membership(user=analyst, role=Role.NATIONAL_ANALYST))
        Membership.all_tenants_UNSCOPED.bulk_create(memberships)
        User.objects.create_superuser(
            "admin@platform.demo.equalex.org.uk", password, full_name="Platform admin"
        )

    def _trust_lead(self, trust, password):
        """The trust across hubs gets its central careers lead; its first school (by URN)
        grants it named pupils, so the demo shows both a school's totals and its pupils."""
        from schools.models import TrustPupilAccess

        account = get_user_model().objects.create_user(
            "trust.lead@northern-lights.demo.equalex.org.uk",
            password,
            full_name="Trust careers lead (Northern Lights)",
        )
        Membership.all_tenants_UNSCOPED.create(user=account, role=Role.TRUST_LEAD, trust=trust)
        first = School.all_tenants_UNSCOPED.filter(trust=trust).order_by("urn").first()
        if first is not None:
            TrustPupilAccess.all_tenants_UNSCOPED.create(
                school=first, hub_id=first.hub_id, trust=trust
            )

    def _print_accounts(self, password):
        rows = (
            Membership.all_tenants_UNSCOPED.select_related(
                "user", "hub", "school", "trust", "employer"
            )
            .filter(user__email__endswith=".demo.equalex.org.uk")
            .order_by("pk")
        )
        self.stdout.write(f"\nDemo accounts (password: {password})")
        for membership in rows:
            self.stdout.write(
                f"  {membership.get_role_display():<17} {membership.organisation!s:<38} "
                f"{membership.user.email}"
            )
        self.stdout.write(
            f"  {'Platform admin':<17} {'/admin/':<38} admin@platform.demo.equalex.org.uk\n"
        )

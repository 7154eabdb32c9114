"""Demo data: hubs, trusts, schools, employers, pupils with histories, one account per role.

manage.py demo_data                      # 2 hubs x 6 schools x 120 pupils (seconds)
manage.py demo_data --schools-per-hub 150 --pupils-per-school 1000 --reset   # benchmark
"""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

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
        with all_tenants_UNSAFE("demo data"), transaction.atomic():
            if options["reset"]:
                self._reset()
            elif Hub.objects.exists():
                self.stdout.write("Demo data is already loaded (use --reset to rebuild).")
                self._print_accounts(options["password"])
                return
            self._build(options)
            # Bulk-loaded past the services, so the ledger is counted once at the end.
            ledger_rebuild()
            self._print_accounts(options["password"])

    def _reset(self):
        for model in (Participation, Experience, Learner, Membership, School, Trust):
            model.all_tenants_UNSCOPED.all().delete()
        Employer.all_tenants_UNSCOPED.all().delete()
        Hub.all_tenants_UNSCOPED.all().delete()
        get_user_model().objects.filter(email__endswith=".demo.equalex.org.uk").delete()

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

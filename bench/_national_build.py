"""National-scale data for bench/national.py, built with set-based SQL in the app's schema.

Every statement is one INSERT ... SELECT (or UPDATE ... FROM) over generate_series; no
Python loop touches a row. `build(scale)` returns the seconds each step took.

Shape (scale 1): 44 hubs of varying size (about 30-110 schools each), 3,100 schools
(mainstream of 400-1,900 pupils, small special and alternative provision schools; about
1,065 pupils on average), Years 7-11 of the current academic year, each cohort split in
registration classes of 24-30. Each class has had 3-4 experiences a year since Year 7
(kinds, settings, tiers and criteria mixed by key stage; placements in Years 10-11), each
for the class: 96% of its pupils took part, 3% of those absent, 7% partly there; employer
feedback and reflection flags mixed. Experiences have 1-3 employers among their hub's
partners, their sectors those employers' sectors. About 1.5% of pupils moved school (a fifth
of them across hubs) after their history was logged: as learners.transfers does, the pupil
and their participations carry the new school and hub while the experiences stay with the
old school, and a released PupilTransfer records the move. About 1% have left (left_on).
"""

import time

# Valid DfE local authority numbers (python-stdnum's list); a UPN is
# check letter + LA (3) + establishment (4) + year of allocation (2) + serial (3).
LA_CODES = [
    201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 301, 302, 303, 304,
    305, 306, 307, 308, 309, 310, 311, 312, 313, 314, 315, 316, 317, 318, 319, 320, 330,
    331, 332, 333, 334, 335, 336, 340, 341, 342, 343, 344, 350, 351, 352, 353, 354, 355,
    356, 357, 358, 359, 370, 371, 372, 373, 380, 381, 382, 383, 384, 390, 391, 392, 393,
    394, 420, 800, 801, 802, 803, 805, 806, 807, 808, 810, 811, 812, 813, 815, 816, 821,
    822, 823, 825, 826, 830, 831, 835, 836, 837, 840, 841, 845, 846, 850, 851, 852, 855,
    856, 857, 860, 861, 865, 866, 867, 868, 869, 870, 871, 872, 873, 874, 876, 877, 878,
]  # fmt: skip

FIRST_NAMES = [
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Sophia", "Grace", "Freya",
    "Noah", "Oliver", "George", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Archie",
    "Henry", "Aisha", "Zara", "Priya", "Kofi", "Chloe", "Jack", "Ella", "Ethan", "Ruby",
    "Yusuf",
]  # fmt: skip
SURNAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Khan", "Wood", "Jackson", "Clarke", "Hughes", "Ali", "Okafor", "Nowak", "Murphy",
    "Edwards", "Lewis", "Hussain",
]  # fmt: skip

# The kinds of experience a class has, by key stage: share of a class's events (cumulative
# bounds), kind, setting, hours, days.
PLAN = [
    ("ks3", 0.00, 0.30, "workplace_visit", "workplace", 5, 1),
    ("ks3", 0.30, 0.45, "virtual_experience", "virtual", 2.5, 1),
    ("ks3", 0.45, 0.55, "insight_day", "community", 5, 1),
    ("ks3", 0.55, 0.65, "work_shadowing", "workplace", 5, 1),
    ("ks3", 0.65, 0.80, "employer_project", "in_school", 5, 1),
    ("ks3", 0.80, 0.90, "mock_interview", "in_school", 2.5, 1),
    ("ks3", 0.90, 1.01, "other", "community", 2.5, 1),
    ("ks4", 0.00, 0.25, "placement", "workplace", 25, 5),
    ("ks4", 0.25, 0.35, "placement", "workplace", 10, 2),
    ("ks4", 0.35, 0.50, "workplace_visit", "workplace", 5, 1),
    ("ks4", 0.50, 0.60, "virtual_experience", "virtual", 5, 1),
    ("ks4", 0.60, 0.70, "insight_day", "workplace", 5, 1),
    ("ks4", 0.70, 0.80, "work_shadowing", "workplace", 5, 1),
    ("ks4", 0.80, 0.90, "employer_project", "in_school", 5, 1),
    ("ks4", 0.90, 1.01, "mock_interview", "in_school", 2.5, 1),
]

REGIONS = [
    "North East", "North West", "Yorkshire and the Humber", "East Midlands",
    "West Midlands", "East of England", "London", "South East", "South West",
]  # fmt: skip

# Tables the bulk load fills: their non-unique indexes and foreign keys are dropped for the
# load and recreated after it (the FKs re-added and validated, so every row is checked
# once, by a join, instead of by a trigger per row). Unique constraints stay in place.
BULK_TABLES = [
    "learners_learner",
    "learners_experience",
    "learners_experience_employers",
    "learners_experience_sectors",
    "learners_participation",
]

# The DfE check letter (python-stdnum's rule): digits weighted 2..13 by position, mod 23.
UPN_CHECK = "substr('ABCDEFGHJKLMNPQRTUVWXYZ', 1 + ({}) %% 23, 1)".format(
    " + ".join(f"{i + 1} * (ascii(substr(body, {i}, 1)) - 48)" for i in range(1, 13))
)

WIPE = """
TRUNCATE hubs_hub, schools_trust, employers_employer, accounts_user, django_session,
         access_auditevent RESTART IDENTITY CASCADE
"""

STEPS = [
    (
        "hubs, trusts, schools",
        """
-- The ledger's state starts empty: ledger_rebuild() counts it after the build.
INSERT INTO hubs_hub (name, region, ks3_virtual_cap_days, meaningful_criteria,
  ledger_counted_by, ledger_recount_done, ledger_recount_total,
  year11_grace_days, leavers_kept_academic_years)
SELECT format('Bench Hub %%s', lpad(h::text, 2, '0')), (%(regions)s::text[])[1 + h %% 9],
       2.5, '["M1", "M2", "M3"]'::jsonb, '', 0, 0, 30, 3
FROM generate_series(1, %(hubs)s) h;

-- Hubs of varying size: weights 0.4-1.6 spread by the golden ratio.
CREATE TEMP TABLE bench_hub AS
WITH w AS (
  SELECT id AS hub_id, h, 0.4 + 1.2 * (h * 0.6180339887 - floor(h * 0.6180339887)) AS w
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS h FROM hubs_hub) n
)
SELECT hub_id, h, (sum(w) OVER (ORDER BY h) - w) / sum(w) OVER () AS lo,
       sum(w) OVER (ORDER BY h) / sum(w) OVER () AS hi
FROM w;

INSERT INTO schools_trust (name)
SELECT format('Bench Trust %%s', t) FROM generate_series(1, greatest(1, %(schools)s / 20)) t;

INSERT INTO schools_school (urn, name, type, local_authority, fsm_percent, hub_id, trust_id,
                            postcode)
SELECT lpad((100000 + k)::text, 6, '0'), format('Bench School %%s', k),
       CASE WHEN r1 < 0.05 THEN 'special' WHEN r1 < 0.08 THEN 'alternative'
            ELSE 'mainstream' END,
       format('LA %%s', (%(la)s::int[])[1 + k %% %(la_n)s]),
       round((4 + 46 * power(r2, 1.5))::numeric, 2), h.hub_id,
       CASE WHEN r3 < 0.4
            THEN (SELECT min(id) FROM schools_trust) + k %% greatest(1, %(schools)s / 20) END,
       ''
FROM (SELECT k, random() AS r1, random() AS r2, random() AS r3
      FROM generate_series(1, %(schools)s) k) s
JOIN bench_hub h ON (k - 0.5) / %(schools)s >= h.lo AND (k - 0.5) / %(schools)s < h.hi
ORDER BY k;

CREATE TEMP TABLE bench_school AS
SELECT s.id AS school_id, s.hub_id, n.k, s.fsm_percent,
       (%(la)s::int[])[1 + n.k %% %(la_n)s] AS la,
       CASE WHEN s.type = 'mainstream' THEN round(230 * (0.35 + 1.3 * random()))::int
            ELSE 10 + floor(random() * 25)::int END AS per_cohort,
       row_number() OVER (PARTITION BY s.hub_id ORDER BY s.id) - 1 AS hub_rn,
       count(*) OVER (PARTITION BY s.hub_id) AS hub_n
FROM schools_school s JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k
                            FROM schools_school) n USING (id);
""",
    ),
    (
        "employers, partnerships",
        """
INSERT INTO employers_employer (name, companies_house_number, size_band, postcode, sector_id)
SELECT format('Bench Employer %%s', j), lpad(j::text, 8, '0'),
       CASE WHEN r < 0.3 THEN 'micro' WHEN r < 0.6 THEN 'small' WHEN r < 0.8 THEN 'medium'
            ELSE 'large' END,
       '', sectors[1 + floor(random() * cardinality(sectors))::int]
FROM (SELECT j, random() AS r FROM generate_series(1, %(employers)s) j) e,
     (SELECT array_agg(id ORDER BY id) AS sectors FROM hubs_sector) s;

-- Each employer partners its home hub; a quarter a second, one in twenty a third.
INSERT INTO employers_employer_hubs (employer_id, hub_id)
SELECT DISTINCT e.id, h.hub_id
FROM (SELECT id, row_number() OVER (ORDER BY id) AS j, random() AS r FROM employers_employer) e
CROSS JOIN LATERAL (VALUES (1 + j %% %(hubs)s, true),
                           (1 + (j * 7 + 3) %% %(hubs)s, r < 0.25),
                           (1 + (j * 13 + 5) %% %(hubs)s, r < 0.05)) AS p(h, wanted)
JOIN bench_hub h ON h.h = p.h
WHERE p.wanted;

INSERT INTO hubs_hub_growth_sectors (hub_id, sector_id)
SELECT DISTINCT h.hub_id, s.id FROM bench_hub h
JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM hubs_sector) s
  ON (s.n + h.h) %% 4 = 0;

CREATE TEMP TABLE bench_hub_employer AS
SELECT hub_id, employer_id, row_number() OVER (PARTITION BY hub_id ORDER BY employer_id) AS rn,
       count(*) OVER (PARTITION BY hub_id) AS n
FROM employers_employer_hubs;
CREATE INDEX ON bench_hub_employer (hub_id, rn);
""",
    ),
    (
        "pupils",
        """
INSERT INTO learners_learner (upn, legal_first_name, preferred_first_name, surname, cohort,
  registration_group, fsm, disadvantaged, send, looked_after, created_at, updated_at,
  hub_id, school_id, left_on)
SELECT {UPN_CHECK} || body, first, CASE WHEN r4 < 0.04 THEN first || 'ie' ELSE '' END,
       surname, cohort, (7 + %(year)s - cohort)::text || chr((65 + i / cs)::int),
       fsm, fsm OR r2 < 0.06,
       CASE WHEN r3 < 0.03 THEN 'E' WHEN r3 < 0.15 THEN 'K' ELSE 'N' END,
       r4 > 0.992, make_date(cohort, 7, 1)::timestamptz, now(), hub_id, school_id, NULL
FROM (
  SELECT s.school_id, s.hub_id, %(year)s - y AS cohort, i, 24 + (s.k * 7 + y) %% 7 AS cs,
         s.la::text || lpad((s.k %% 10000)::text, 4, '0')
           || lpad(((%(year)s - y) %% 100)::text, 2, '0') || lpad(i::text, 3, '0') AS body,
         (%(first)s::text[])[1 + floor(random() * %(first_n)s)::int] AS first,
         (%(surnames)s::text[])[1 + floor(random() * %(surnames_n)s)::int] AS surname,
         random() * 100 < s.fsm_percent AS fsm, random() AS r2, random() AS r3, random() AS r4
  FROM bench_school s CROSS JOIN generate_series(0, 4) y
  CROSS JOIN LATERAL generate_series(0, s.per_cohort - 1) i
) p
ORDER BY school_id, cohort, i;

CREATE TEMP TABLE bench_pupil AS
SELECT id, school_id, hub_id, cohort,
       ascii(right(registration_group, 1)) - 65 AS class_no
FROM learners_learner;

CREATE TEMP TABLE bench_class AS
SELECT school_id, hub_id, cohort, class_no, count(*) AS pupils
FROM bench_pupil GROUP BY 1, 2, 3, 4;

-- Who moves (after their history was logged): a fifth to any school, the rest within
-- their hub.
CREATE TEMP TABLE bench_move AS
WITH picks AS MATERIALIZED (
  SELECT p.id AS learner_id, p.school_id AS from_school, p.hub_id AS from_hub,
         random() < 0.2 OR s.hub_n = 1 AS anywhere, s.k, s.hub_rn, s.hub_n, random() AS r
  FROM bench_pupil p JOIN bench_school s USING (school_id)
  WHERE p.cohort < %(year)s AND random() < 0.015
)
SELECT p.learner_id, p.from_school, p.from_hub, t.school_id AS to_school, t.hub_id AS to_hub
FROM picks p
JOIN bench_school t ON t.k = 1 + (p.k + floor(p.r * (%(schools)s - 1))::int) %% %(schools)s
WHERE p.anywhere AND t.school_id <> p.from_school
UNION ALL
SELECT p.learner_id, p.from_school, p.from_hub, t.school_id, t.hub_id
FROM picks p
JOIN bench_school t ON t.hub_id = p.from_hub
 AND t.hub_rn = (p.hub_rn + 1 + floor(p.r * (p.hub_n - 1))::int) %% p.hub_n
WHERE NOT p.anywhere;
CREATE UNIQUE INDEX ON bench_move (learner_id);
""",
    ),
    (
        "experiences",
        """
CREATE TEMP TABLE bench_plan (stage text, lo float, hi float, kind text, setting text,
                              hours numeric, days int);
INSERT INTO bench_plan SELECT * FROM jsonb_to_recordset(%(plan)s::jsonb)
  AS x(stage text, lo float, hi float, kind text, setting text, hours numeric, days int);

CREATE TEMP TABLE bench_exp AS
WITH events AS MATERIALIZED (
  SELECT c.school_id, c.hub_id, c.cohort, c.class_no, 7 + a - c.cohort AS g,
         make_date(a, 9, 8) + floor(random() * 315)::int AS start_date,
         random() AS rk, random() AS rt, random() AS rm
  FROM bench_class c
  CROSS JOIN LATERAL generate_series(c.cohort, %(year)s) a
  -- (0 * a column: a volatile call in LATERAL is evaluated once unless it names the row)
  CROSS JOIN LATERAL generate_series(1, 3 + (random() + 0 * c.class_no < 0.5)::int) n
)
SELECT row_number() OVER (ORDER BY e.school_id, e.start_date) AS id, e.*, p.kind, p.setting,
       p.hours, p.days,
       CASE WHEN e.g <= 8 THEN 1 + (e.rt < 0.2)::int
            WHEN e.g <= 10 THEN CASE WHEN e.rt < 0.15 THEN 1 WHEN e.rt < 0.85 THEN 2 ELSE 3 END
            ELSE 2 + (e.rt < 0.6)::int END AS tier
FROM events e
JOIN bench_plan p ON p.stage = CASE WHEN e.g <= 9 THEN 'ks3' ELSE 'ks4' END
 AND e.rk >= p.lo AND e.rk < p.hi
WHERE e.start_date < %(today)s;

INSERT INTO learners_experience (id, title, kind, setting, tier, start_date, end_date,
  academic_year, duration_hours, meets_m1, meets_m2, meets_m3, meets_m4, meets_m5,
  created_at, updated_at, created_by_id, hub_id, school_id, opportunity_id)
SELECT id, format('%%s, Year %%s', initcap(replace(kind, '_', ' ')), g), kind, setting, tier,
       start_date, start_date + days - 1,
       CASE WHEN extract(month FROM start_date) >= 9 THEN extract(year FROM start_date)
            ELSE extract(year FROM start_date) - 1 END,
       hours, rm < 0.93, random() < 0.9, random() < 0.88, random() < 0.55,
       kind = 'employer_project' OR random() < 0.3,
       start_date + interval '18 hours', start_date + interval '18 hours', NULL,
       hub_id, school_id, NULL
FROM bench_exp;
SELECT setval(pg_get_serial_sequence('learners_experience', 'id'),
              (SELECT max(id) FROM learners_experience));

-- 1 employer (60%%), 2 (30%%) or 3 among the hub's partners; "other" events have none.
INSERT INTO learners_experience_employers (experience_id, employer_id)
WITH picks AS MATERIALIZED (
  SELECT e.id, e.hub_id, 1 + floor(random() * n.n)::int AS rn
  FROM bench_exp e
  JOIN (SELECT DISTINCT hub_id, n FROM bench_hub_employer) n USING (hub_id)
  CROSS JOIN LATERAL generate_series(1, CASE WHEN random() + 0 * e.id < 0.6 THEN 1
                                             WHEN random() + 0 * e.id < 0.75 THEN 2
                                             ELSE 3 END) j
  WHERE e.kind <> 'other'
)
SELECT DISTINCT p.id, he.employer_id
FROM picks p JOIN bench_hub_employer he ON he.hub_id = p.hub_id AND he.rn = p.rn;

INSERT INTO learners_experience_sectors (experience_id, sector_id)
SELECT DISTINCT ee.experience_id, emp.sector_id
FROM learners_experience_employers ee JOIN employers_employer emp ON emp.id = ee.employer_id
WHERE emp.sector_id IS NOT NULL;
""",
    ),
    (
        "participations",
        """
INSERT INTO learners_participation (hours_attended, absent, employer_feedback_given,
  reflection_done, reflection_text, feedback_text, updated_at, experience_id, hub_id,
  learner_id, school_id, start_date)
SELECT CASE WHEN r < 0.03 THEN 0
            WHEN r < 0.10 THEN CASE WHEN hours > 5 THEN hours - 5 ELSE hours / 2 END
            ELSE hours END,
       r < 0.03, r >= 0.03 AND r2 < 0.6, r >= 0.03 AND r3 < 0.45,
       CASE WHEN r >= 0.03 AND r3 < 0.05 THEN 'I found out what the job is really like.'
            ELSE '' END,
       '', start_date + interval '2 days', experience_id, hub_id, learner_id, school_id,
       start_date
FROM (
  SELECT e.id AS experience_id, e.hours, e.start_date, p.id AS learner_id,
         COALESCE(m.to_hub, p.hub_id) AS hub_id, COALESCE(m.to_school, p.school_id) AS school_id,
         random() AS r, random() AS r2, random() AS r3
  FROM bench_exp e
  JOIN bench_pupil p USING (school_id, cohort, class_no)
  LEFT JOIN bench_move m ON m.learner_id = p.id
  WHERE random() < 0.96
) x
ORDER BY learner_id, experience_id;
""",
    ),
    (
        "moves and leavers",
        """
UPDATE learners_learner l SET school_id = m.to_school, hub_id = m.to_hub, updated_at = now()
FROM bench_move m WHERE l.id = m.learner_id;

INSERT INTO learners_pupiltransfer (status, sent, automatic, requested_at, decided_by_role,
  decided_at, decline_reason, decided_by_id, from_hub_id, from_school_id, learner_id,
  requested_by_id, to_hub_id, to_school_id)
SELECT 'released', '{}'::jsonb, false, now() - interval '30 days', 'careers_leader',
       now() - interval '29 days', '', NULL, from_hub, from_school, learner_id, NULL,
       to_hub, to_school
FROM bench_move;

UPDATE learners_learner SET left_on = %(today)s - (1 + floor(random() * 60))::int,
                            updated_at = now()
WHERE random() < 0.01;

DROP TABLE bench_hub, bench_school, bench_hub_employer, bench_pupil, bench_class,
           bench_move, bench_plan, bench_exp;
""",
    ),
]


def _drop_bulk_indexes(cursor) -> list[str]:
    """Drop the non-unique indexes and the foreign keys of the bulk tables; return the
    statements that recreate them."""
    cursor.execute(
        """
        SELECT format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', c.conrelid::regclass,
                      c.conname, pg_get_constraintdef(c.oid)),
               format('ALTER TABLE %%I DROP CONSTRAINT %%I', c.conrelid::regclass, c.conname)
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%(tables)s)
        """,
        {"tables": BULK_TABLES},
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        """
        SELECT pg_get_indexdef(i.indexrelid), format('DROP INDEX %%I', i.indexrelid::regclass)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%(tables)s)
          AND NOT i.indisunique AND NOT i.indisprimary
        """,
        {"tables": BULK_TABLES},
    )
    indexes = cursor.fetchall()
    for _, drop in foreign_keys + indexes:
        cursor.execute(drop)
    return [create for create, _ in indexes] + [create for create, _ in foreign_keys]


def build(scale: float) -> dict[str, float]:
    import json
    from datetime import date

    from django.db import connection, transaction

    from learners.academic import academic_year_of

    today = date.today()
    hubs = max(1, round(44 * scale))
    schools = max(hubs, round(3100 * scale))
    if schools > 9999:
        raise SystemExit("--scale above 3.2 would need longer establishment numbers in UPNs")
    params = {
        "hubs": hubs,
        "schools": schools,
        "employers": max(60 * hubs, round(12000 * scale)),
        "year": academic_year_of(today),
        "today": today,
        "regions": REGIONS,
        "la": LA_CODES,
        "la_n": len(LA_CODES),
        "first": FIRST_NAMES,
        "first_n": len(FIRST_NAMES),
        "surnames": SURNAMES,
        "surnames_n": len(SURNAMES),
        "plan": json.dumps(
            [
                dict(
                    zip(["stage", "lo", "hi", "kind", "setting", "hours", "days"], row, strict=True)
                )
                for row in PLAN
            ]
        ),
    }
    timings = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # Session settings for the load only; the server's settings are untouched.
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '1GB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '2GB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SELECT setseed(0.42)")
        started = time.perf_counter()
        cursor.execute(WIPE)
        recreate = _drop_bulk_indexes(cursor)
        timings["wipe, drop indexes"] = time.perf_counter() - started
        for label, sql in STEPS:
            started = time.perf_counter()
            cursor.execute(sql.replace("{UPN_CHECK}", UPN_CHECK), params)
            timings[label] = time.perf_counter() - started
            print(f"  {label:<28}{timings[label]:>8.1f} s", flush=True)
        started = time.perf_counter()
        for statement in recreate:
            cursor.execute(statement)
        timings["indexes and foreign keys"] = time.perf_counter() - started
        print(f"  {'indexes and foreign keys':<28}{timings['indexes and foreign keys']:>8.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["ANALYZE"] = time.perf_counter() - started
    print(f"  {'ANALYZE':<28}{timings['ANALYZE']:>8.1f} s")
    return timings

"""The vocabulary of the access matrices (pages and API)."""

from access.roles import Role

OK, NOT_FOUND, LOGIN = 200, 404, "login"
ANON = "anonymous"

# The trust lead three ways. TRUST_LEAD: the side's trust (the side's school; its sibling
# school is in no trust), no school granting it named pupils. TRUST_GRANTED: the same, with
# the side's school granting it. TRUST_SPANNING: the trust also holds the other hub's
# school (a trust across hubs), which grants it named pupils; the side's own school does
# not. The test sets each world up and rolls it back (trust_variant_setup).
TRUST_GRANTED = "trust_lead+grant"
TRUST_SPANNING = "trust_lead+other_hub"
TRUST_VARIANTS = (TRUST_GRANTED, TRUST_SPANNING)
MATRIX_ROLES = [*Role, *TRUST_VARIANTS]
ROLES = [ANON, *MATRIX_ROLES]

# Object variants seen from a user of one side: "own" is in the user's school / hub /
# employer / trust; "sibling" is another school or employer in the same hub; "foreign" is
# in the other hub.
VARIANTS = ("own", "sibling", "foreign")


def everyone(expected, *, pupil=NOT_FOUND):
    """Every role alike, except a pupil, who has their own pages (pupils/) and no others
    unless the row says so."""
    table = {role: {variant: expected for variant in VARIANTS} for role in MATRIX_ROLES}
    table[Role.PUPIL] = dict.fromkeys(VARIANTS, pupil)
    return table


def only(roles_to_variants):
    table = {role: dict.fromkeys(VARIANTS, NOT_FOUND) for role in MATRIX_ROLES}
    for role, variants in roles_to_variants.items():
        table[role].update(variants)
    return table


ALL_OK = dict.fromkeys(VARIANTS, OK)
OWN_ONLY = {"own": OK, "sibling": NOT_FOUND, "foreign": NOT_FOUND}
HUB_ONLY = {"own": OK, "sibling": OK, "foreign": NOT_FOUND}
FOREIGN_ONLY = {"own": NOT_FOUND, "sibling": NOT_FOUND, "foreign": OK}
OWN_AND_FOREIGN = {"own": OK, "sibling": NOT_FOUND, "foreign": OK}

# A trust lead's view of its schools' totals (pages, reports): its trust's schools, in any
# hub, grant or not.
TRUST_AGGREGATES = {
    Role.TRUST_LEAD: OWN_ONLY,
    TRUST_GRANTED: OWN_ONLY,
    TRUST_SPANNING: OWN_AND_FOREIGN,
}
# A trust lead's view of named pupils: only of the school that grants it.
TRUST_NAMED = {TRUST_GRANTED: OWN_ONLY, TRUST_SPANNING: FOREIGN_ONLY}
# Pages with no object that every trust lead reaches.
TRUST_ALL = dict.fromkeys((Role.TRUST_LEAD, *TRUST_VARIANTS), ALL_OK)

# A pupil's own rows: own is the pupil's, sibling another pupil of the hub, foreign the
# other hub's.
PUPIL_OWN = {Role.PUPIL: OWN_ONLY}

SCHOOL_STAFF_OWN = only({Role.CAREERS_LEADER: OWN_ONLY, Role.SCHOOL_STAFF: OWN_ONLY})
SCHOOL_STAFF_ALL = only({Role.CAREERS_LEADER: ALL_OK, Role.SCHOOL_STAFF: ALL_OK})


def trust_variant_setup(world, side, other, role):
    """Set up the world of a trust variant inside the running test (rolled back with it);
    return the real role whose user signs in."""
    from access.context import all_tenants_UNSAFE
    from schools.models import School, TrustPupilAccess

    if role not in TRUST_VARIANTS:
        return role
    trust_id = side.school.trust_id
    with all_tenants_UNSAFE("test: a trust variant of the access matrix"):
        if role == TRUST_GRANTED:
            granted = side.school
        else:
            School.all_tenants_UNSCOPED.filter(pk=other.school.pk).update(trust_id=trust_id)
            granted = other.school
        TrustPupilAccess.all_tenants_UNSCOPED.create(
            school_id=granted.pk, hub_id=granted.hub_id, trust_id=trust_id
        )
    return Role.TRUST_LEAD


def reflection_on(participation):
    """A pupil's reflection on their participation (pupils/), made inside the running test
    and rolled back with it."""
    from access.context import all_tenants_UNSAFE
    from pupils.models import Reflection

    with all_tenants_UNSAFE("test"):
        return Reflection.objects.create(
            participation=participation,
            learner_id=participation.learner_id,
            hub_id=participation.hub_id,
            school_id=participation.school_id,
            what_i_did="Helped on the ward",
            what_i_learned="Shifts are long",
        )

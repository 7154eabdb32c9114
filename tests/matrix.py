"""The vocabulary of the access matrices (pages and API)."""

from access.roles import Role

OK, NOT_FOUND, LOGIN = 200, 404, "login"
ANON = "anonymous"
ROLES = [ANON, *Role]

# Object variants seen from a user of one side: "own" is in the user's school / hub /
# employer; "sibling" is another school or employer in the same hub; "foreign" is in the
# other hub.
VARIANTS = ("own", "sibling", "foreign")


def everyone(expected):
    return {role: {variant: expected for variant in VARIANTS} for role in Role}


def only(roles_to_variants):
    table = {role: dict.fromkeys(VARIANTS, NOT_FOUND) for role in Role}
    for role, variants in roles_to_variants.items():
        table[role].update(variants)
    return table


ALL_OK = dict.fromkeys(VARIANTS, OK)
OWN_ONLY = {"own": OK, "sibling": NOT_FOUND, "foreign": NOT_FOUND}
HUB_ONLY = {"own": OK, "sibling": OK, "foreign": NOT_FOUND}

SCHOOL_STAFF_OWN = only({Role.CAREERS_LEADER: OWN_ONLY, Role.SCHOOL_STAFF: OWN_ONLY})
SCHOOL_STAFF_ALL = only({Role.CAREERS_LEADER: ALL_OK, Role.SCHOOL_STAFF: ALL_OK})

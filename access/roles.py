from django.db import models


class Role(models.TextChoices):
    NATIONAL_ANALYST = "national_analyst", "National analyst"
    HUB_LEAD = "hub_lead", "Hub lead"
    # A multi-academy trust's central careers lead: its schools' aggregates, and named
    # pupils of a school only while that school grants it (schools.TrustPupilAccess).
    TRUST_LEAD = "trust_lead", "Trust careers lead"
    CAREERS_LEADER = "careers_leader", "Careers leader"
    SCHOOL_STAFF = "school_staff", "School staff"
    EMPLOYER = "employer", "Employer"
    # A pupil signed in to see their own record, reflect and rate their skills (pupils/):
    # their own rows and nothing else.
    PUPIL = "pupil", "Pupil"


# The organisation each role belongs to: a membership names exactly this one.
ROLE_ORGANISATION = {
    Role.NATIONAL_ANALYST: None,
    Role.HUB_LEAD: "hub",
    Role.TRUST_LEAD: "trust",
    Role.CAREERS_LEADER: "school",
    Role.SCHOOL_STAFF: "school",
    Role.EMPLOYER: "employer",
    Role.PUPIL: "school",
}

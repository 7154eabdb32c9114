"""Every published surface of a loaded world against the oracle: pages, API, report JSON,
CSV and PDF. Slower (PDFs, HTTP), so CI runs it on a few seeds."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from tests.api_helpers import token_for

from . import model as m
from . import surfaces as s
from .load import Loaded
from .platform import moved_hub


def surface_disagreements(loaded: Loaded) -> list[str]:
    world, as_at, found = loaded.world, loaded.world.as_at, []
    today = timezone.localdate()
    for school in world.schools:
        client = Client()
        client.force_login(loaded.leaders[school.id])
        found += s.school_summary_page(client, loaded, school, as_at)
        for year in range(7, 14):
            found += s.cohort_page(client, loaded, school, year, as_at)
        pupils = m.pupils_of_school(world, school.id)
        longest = sorted(pupils, key=lambda p: -len(world.participations_of(p.id)))[:3]
        moved = [p for p in pupils if p not in longest and moved_hub(world, p)][:2]
        for pupil in longest + moved:  # and a pupil or two who moved in from another hub
            found += s.pupil_page(client, loaded, pupil, today)
        secret = token_for(loaded.leaders[school.id])
        found += s.api_pupils(client, secret, loaded, school, as_at)
        found += s.api_school(client, secret, loaded, school, as_at)
        found += s.school_report(loaded, school, as_at)
        found += s.school_report_page(client, loaded, school, as_at)
        years = sorted({m.year_group(p.cohort, as_at) for p in pupils} & set(range(7, 14)))
        for year in years[:2]:
            found += s.cohort_report(loaded, school, year, as_at)
        if pupils:
            longest = max(pupils, key=lambda p: (len(world.participations_of(p.id)), -p.id))
            found += s.record_report(loaded, longest, as_at)
    for hub in world.hubs:
        _run, disagreements = s.hub_report(loaded, hub, as_at)
        found += disagreements
        client = Client()
        client.force_login(loaded.hub_leads[hub.id])
        found += s.hub_page(client, loaded, hub, today)  # live, as at today
        found += s.hub_home_page(client, loaded, hub, today)
    client = Client()
    client.force_login(loaded.analyst)
    found += s.national_page(client, loaded, as_at, today)
    found += s.api_national(client, token_for(loaded.analyst), loaded, as_at, today)
    return found

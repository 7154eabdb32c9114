"""The API's filter backend builds django-filter's filter set only for a request that
names one of the view's filters; every filter still applies when named."""

import pytest
from django_filters import rest_framework as F
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from access.context import all_tenants_UNSAFE
from api.filters import FilterBackend, PupilFilter, _names_a_filter
from learners.models import Learner

pytestmark = pytest.mark.django_db


class View:
    filterset_class = PupilFilter


def filtered(query: dict):
    request = APIRequestFactory().get("/api/v1/pupils/", query)
    with all_tenants_UNSAFE("test: the backend alone"):
        pupils = Learner.objects.all()
        return pupils, FilterBackend().filter_queryset(Request(request), pupils, View())


def test_an_unfiltered_request_gets_the_queryset_untouched(world):
    pupils, result = filtered({"page_size": "10", "cursor": "abc"})
    assert result is pupils


def test_a_named_filter_still_filters(world):
    with all_tenants_UNSAFE("test"):
        Learner.objects.filter(pk=world.a.pupil.pk).update(fsm=True)
        Learner.objects.exclude(pk=world.a.pupil.pk).update(fsm=False)
    _, result = filtered({"fsm": "true", "page_size": "10"})
    with all_tenants_UNSAFE("test"):
        assert list(result.values_list("pk", flat=True)) == [world.a.pupil.pk]


def test_a_filter_of_two_parameters_counts_as_named():
    class Ranged(F.FilterSet):
        cohort = F.RangeFilter()

        class Meta:
            model = Learner
            fields = []

    assert _names_a_filter({"cohort_min": "2020"}, Ranged.base_filters)
    assert not _names_a_filter({"page_size": "5"}, Ranged.base_filters)

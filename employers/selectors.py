from employers.models import Employer


def employer_list(*, actor):
    return Employer.objects.select_related("sector").prefetch_related("hubs").order_by("name")

from django.contrib import admin

from .models import Employer
from .onboarding_models import EmployerRequest


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("name", "size_band", "sector")
    list_filter = ("size_band",)
    search_fields = ("name",)
    filter_horizontal = ("hubs",)
    list_select_related = ("sector",)


@admin.register(EmployerRequest)
class EmployerRequestAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "hub", "contact_email", "status", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("name", "contact_email", "companies_house_number")
    list_select_related = ("hub",)
    raw_id_fields = ("employer", "decided_by")

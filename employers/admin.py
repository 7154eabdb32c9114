from django.contrib import admin

from .models import (
    Employer,
    EmployerRequest,
    EmployerVetting,
    Nomination,
    Opportunity,
    ParentalConsent,
)


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("name", "size_band", "sector")
    list_filter = ("size_band",)
    search_fields = ("name",)
    filter_horizontal = ("hubs",)
    list_select_related = ("sector",)


@admin.register(EmployerVetting)
class EmployerVettingAdmin(admin.ModelAdmin):
    list_display = ("employer", "hub", "insurance_expires", "approved_at", "reminded_of_expiry")
    list_filter = ("hub",)
    list_select_related = ("employer", "hub")
    raw_id_fields = ("employer", "approved_by")
    readonly_fields = ("reminded_of_expiry",)


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("title", "employer", "start_date", "status", "capacity")
    list_filter = ("status", "kind")
    search_fields = ("title", "employer__name")
    list_select_related = ("employer",)
    raw_id_fields = ("employer", "sector")
    filter_horizontal = ("visible_to_hubs", "objectives")
    readonly_fields = ("attendance_confirmed_at", "feedback_requested_at")


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "school", "status", "created_at")
    list_filter = ("status",)
    list_select_related = ("opportunity", "school")
    raw_id_fields = ("opportunity", "learner", "school", "hub", "nominated_by")


@admin.register(ParentalConsent)
class ParentalConsentAdmin(admin.ModelAdmin):
    # Operators may see whether consent was given, never change a parent's answer.
    list_display = ("nomination", "school", "answer", "answered_at")
    list_filter = ("answer",)
    list_select_related = ("school",)
    readonly_fields = [f.name for f in ParentalConsent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EmployerRequest)
class EmployerRequestAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "hub", "contact_email", "status", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("name", "contact_email", "companies_house_number")
    list_select_related = ("hub",)
    raw_id_fields = ("employer", "decided_by")

from django.contrib import admin

from .models import School, Trust, TrustPupilAccess


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "urn", "type", "hub", "trust", "fsm_percent")
    list_filter = ("type", "hub")
    search_fields = ("name", "urn")
    list_select_related = ("hub", "trust")


@admin.register(TrustPupilAccess)
class TrustPupilAccessAdmin(admin.ModelAdmin):
    list_display = ("school", "trust", "granted_by", "granted_at")
    list_select_related = ("school", "trust", "granted_by")

from django.contrib import admin

from .models import Hub, Membership, Sector


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    filter_horizontal = ("growth_sectors",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "hub", "school", "trust", "employer")
    list_filter = ("role",)
    autocomplete_fields = ("user",)
    raw_id_fields = ("school", "employer")

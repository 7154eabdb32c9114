from django.contrib import admin

from .models import PlannedActivity, ProgrammePlan


class PlannedActivityInline(admin.TabularInline):
    model = PlannedActivity
    fields = ("year_group", "term", "title", "kind", "setting", "tier", "expected_hours")
    extra = 0
    show_change_link = True


@admin.register(ProgrammePlan)
class ProgrammePlanAdmin(admin.ModelAdmin):
    """Plans and the hub's templates (school empty); no pupil is named in either."""

    list_display = ("title", "hub", "school", "cohort", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("title",)
    list_select_related = ("hub", "school")
    raw_id_fields = ("school", "copied_from")
    readonly_fields = ("created_by", "published_at")
    inlines = [PlannedActivityInline]


@admin.register(PlannedActivity)
class PlannedActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "plan", "year_group", "term", "tier", "audience")
    list_select_related = ("plan",)
    raw_id_fields = ("plan", "employers")
    exclude = ("hub", "school")
    filter_horizontal = ("objectives", "sectors")

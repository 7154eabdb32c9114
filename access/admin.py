from django.contrib import admin

from .models import AuditEvent


def _superusers_only(request):
    # The admin is the platform operators' tool; tenants use the pages and the API.
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_description", "action", "model", "object_pk", "school_id")
    list_filter = ("action", "model")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin

from .models import Employer


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("name", "size_band", "sector")
    list_filter = ("size_band",)
    search_fields = ("name",)
    filter_horizontal = ("hubs",)
    list_select_related = ("sector",)

from django.contrib import admin

from .models import Learner


@admin.register(Learner)
class LearnerAdmin(admin.ModelAdmin):
    list_display = ("upn", "surname", "legal_first_name", "school", "cohort")
    search_fields = ("upn", "surname")
    list_select_related = ("school",)
    raw_id_fields = ("school",)
    exclude = ("hub",)

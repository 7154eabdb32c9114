from django.contrib import admin

from .models import Learner, LedgerCheck


@admin.register(Learner)
class LearnerAdmin(admin.ModelAdmin):
    list_display = ("upn", "surname", "legal_first_name", "school", "cohort")
    search_fields = ("upn", "surname")
    list_select_related = ("school",)
    raw_id_fields = ("school",)
    exclude = ("hub",)


@admin.register(LedgerCheck)
class LedgerCheckAdmin(admin.ModelAdmin):
    """The nightly reconciliation's findings (learners.ledger.ledger_reconcile): read-only."""

    list_display = ("checked_at", "schools", "pupils", "drifted", "repaired", "__str__")
    readonly_fields = [f.name for f in LedgerCheck._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

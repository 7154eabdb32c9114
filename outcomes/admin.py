from django.contrib import admin

from .models import Framework, MeaningfulCriterion, Objective, Outcome, Tier

admin.site.register(Framework)
admin.site.register(Tier)
admin.site.register(Outcome)
admin.site.register(Objective)
admin.site.register(MeaningfulCriterion)

from django.contrib import admin

from pht.apps.registry.models import GP, Municipality, MunicipalityPopulation, Practice, Team, TeamMember


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("kommunenummer", "name", "county")
    search_fields = ("kommunenummer", "name")
    list_filter = ("county",)


@admin.register(MunicipalityPopulation)
class MunicipalityPopulationAdmin(admin.ModelAdmin):
    list_display = ("municipality", "year", "population", "size_class")
    list_filter = ("year", "size_class")


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ("name", "orgnr", "municipality")
    search_fields = ("name", "orgnr")
    raw_id_fields = ("municipality",)


@admin.register(GP)
class GPAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "hpr", "practice", "list_size", "list_cap")
    search_fields = ("last_name", "hpr")
    raw_id_fields = ("practice",)


admin.site.register(TeamMember)
admin.site.register(Team)

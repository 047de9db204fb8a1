from django.contrib import admin

from .models import OrgUnit, Person, Position, Region
from .services import org_unit_set_path


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent")
    search_fields = ("name", "code")
    list_filter = ("level",)


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "unit_type", "region", "parent", "is_active")
    search_fields = ("name", "short_name", "credit_code")
    list_filter = ("unit_type", "is_active")
    exclude = ("path",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        org_unit_set_path(obj)

    def has_delete_permission(self, request, obj=None):
        return False


class PositionInline(admin.TabularInline):
    model = Position
    fk_name = "person"
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "is_county_leader")
    search_fields = ("name",)
    list_filter = ("is_county_leader",)
    inlines = [PositionInline]

    def has_delete_permission(self, request, obj=None):
        return False

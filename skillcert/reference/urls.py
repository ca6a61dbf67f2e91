from datetime import date

from django.urls import path, register_converter

from skillcert.reference import level_range_views, views


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError as error:  # 2025-02-30: no such day, so no such page
            raise ValueError(value) from error

    def to_url(self, value: date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

app_name = "reference"
urlpatterns = [
    path("skill-levels/", views.skill_level_list_view, name="skill_levels"),
    path("occupations/", views.occupation_list_view, name="occupations"),
    path("calendar/", views.calendar_list_view, name="calendar"),
    path("calendar/new/", views.calendar_day_create_view, name="calendar_day_create"),
    path("calendar/<isodate:day>/edit/", views.calendar_day_update_view, name="calendar_day_update"),
    path("calendar/<isodate:day>/delete/", views.calendar_day_delete_view, name="calendar_day_delete"),
    path("level-ranges/", level_range_views.level_range_list_view, name="level_ranges"),
    path("level-ranges/new/", level_range_views.level_range_create_view, name="level_range_create"),
    path("level-ranges/<int:pk>/edit/", level_range_views.level_range_update_view, name="level_range_update"),
    path(
        "level-ranges/<int:pk>/delete/", level_range_views.level_range_delete_view, name="level_range_delete"
    ),
    path("level-ranges/import/", level_range_views.level_range_import_view, name="level_range_import"),
    path("level-ranges/export/", level_range_views.level_range_export_view, name="level_range_export"),
]

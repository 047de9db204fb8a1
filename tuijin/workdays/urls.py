"""URLs of the working-day calendar (mounted at /workdays/)."""

from django.urls import path

from . import views

__all__ = ["app_name", "urlpatterns"]

app_name = "workdays"

urlpatterns = [
    path("", views.WorkdayCalendarView.as_view(), name="calendar"),
    path("notice/", views.HolidayNoticeView.as_view(), name="notice"),
    path("years/<int:year>/complete/", views.HolidayYearCompleteView.as_view(), name="year_complete"),
    path("overrides/<int:pk>/delete/", views.HolidayOverrideDeleteView.as_view(), name="override_delete"),
]

"""URL patterns of one part of the investment app, included by urls.py (names in the `investment` namespace):
signing events (签约活动, 三个一批) and their lists, and recording a signing on a lead."""

from django.urls import path

from . import views_signing

urlpatterns: list = [
    path("events/", views_signing.EventListView.as_view(), name="event_list"),
    path("events/new/", views_signing.event_edit, name="event_add"),
    path("events/<int:pk>/", views_signing.EventView.as_view(), name="event"),
    path("events/<int:pk>/edit/", views_signing.event_edit, name="event_edit"),
    path("events/<int:pk>/generate/", views_signing.event_generate, name="event_generate"),
    path("events/<int:pk>/export/", views_signing.event_export, name="event_export"),
    path("events/entries/<int:pk>/remove/", views_signing.event_entry_remove, name="event_entry_remove"),
    path("<int:pk>/signings/", views_signing.signing_add, name="signing_add"),
]

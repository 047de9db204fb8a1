from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("units/", views.OrgUnitListView.as_view(), name="orgunit_list"),
    path("units/options/", views.OrgUnitOptionsView.as_view(), name="orgunit_options"),
    path("units/<int:pk>/", views.OrgUnitView.as_view(), name="orgunit"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/<int:pk>/", views.PersonView.as_view(), name="person"),
]

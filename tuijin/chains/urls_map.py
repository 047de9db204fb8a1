"""/chains/ pages of the chain map: chains, map, cockpit, lists, nodes, enterprises, links, rules, 链长制, Excel."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.chain_index, name="index"),
    path("<int:chain_pk>/", views.chain_map, name="map"),
    path("<int:chain_pk>/cockpit/", views.chain_cockpit, name="cockpit"),
    path("<int:chain_pk>/lists/", views.chain_lists, name="lists"),
    path("<int:chain_pk>/lists/export/", views.lists_export, name="lists_export"),
    path("<int:chain_pk>/export/", views.map_export, name="map_export"),
    path("<int:chain_pk>/profile/", views.profile_edit, name="profile"),
    path("<int:chain_pk>/nodes/new/", views.node_add, name="node_add"),
    path("nodes/", views.node_list, name="node_list"),
    path("nodes/<int:pk>/", views.node_detail, name="node"),
    path("nodes/<int:pk>/edit/", views.node_edit, name="node_edit"),
    path("nodes/<int:pk>/delete/", views.node_delete, name="node_delete"),
    path("nodes/<int:pk>/enterprises/new/", views.enterprise_add, name="enterprise_add"),
    path("nodes/<int:pk>/leads/link/", views.lead_link, name="lead_link"),
    path("nodes/<int:pk>/leads/<int:lead_pk>/unlink/", views.lead_unlink, name="lead_unlink"),
    path("nodes/<int:pk>/leads/new/", views.lead_start, name="lead_start"),
    path("nodes/<int:pk>/projects/link/", views.project_link, name="project_link"),
    path("nodes/<int:pk>/projects/<int:project_pk>/unlink/", views.project_unlink, name="project_unlink"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/delete/", views.enterprise_delete, name="enterprise_delete"),
    path("rules/", views.rules_edit, name="rules"),
    path("import/", views.node_import, name="import"),
    path("import/apply/", views.import_apply, name="import_apply"),
    path("import/template/", views.import_template, name="import_template"),
]

from django.urls import path

from . import views, views_service, views_sla

app_name = "tickets"

# Pages are added by tuijin/tickets/views.py (see the block below).
urlpatterns: list = [
    # --- ticket pages (views.py) ---
    path("", views.TicketListView.as_view(), name="ticket_list"),
    path("new/", views.ticket_add, name="ticket_add"),
    path("export.xlsx", views.ticket_export, name="ticket_export"),
    path("<int:pk>/", views.TicketView.as_view(), name="ticket"),
    path("<int:pk>/action/", views.ticket_action, name="ticket_action"),
    path("attachments/<int:pk>/", views.ticket_attachment, name="ticket_attachment"),
    path("from-problem/<int:problem_pk>/", views.problem_to_ticket, name="problem_to_ticket"),
    # --- inspection registry, dashboard (views_service.py) ---
    path("visits/", views_service.visit_list, name="visit_list"),
    path("visits/new/", views_service.visit_add, name="visit_add"),
    path("quiet/", views_service.quiet_list, name="quiet_list"),
    path("quiet/<int:pk>/delete/", views_service.quiet_delete, name="quiet_delete"),
    path("dashboard/", views_service.TicketDashboardView.as_view(), name="ticket_dashboard"),
    # --- 工单类别与办理时限 configuration (views_sla.py) ---
    path("sla/", views_sla.sla_list, name="sla_list"),
    path("sla/new/", views_sla.sla_add, name="sla_add"),
    path("sla/<slug:category>/", views_sla.sla_edit, name="sla_edit"),
]

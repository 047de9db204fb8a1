from django.urls import path

from . import views, views_reading

app_name = "supervision"

urlpatterns = [
    path("", views.TaskListView.as_view(), name="task_list"),
    path("export.xlsx", views.task_export, name="task_export"),
    path("tasks/new/", views.task_add, name="task_add"),
    path("tasks/<int:pk>/", views.TaskView.as_view(), name="task"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/<str:action>/", views.task_action, name="task_action"),
    path("evidence/<int:pk>/", views.task_attachment, name="task_attachment"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/new/", views.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/", views.MeetingView.as_view(), name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/upload/", views.meeting_upload, name="meeting_upload"),
    path("meetings/<int:pk>/minutes.docx", views.meeting_minutes, name="meeting_minutes"),
    path("meeting-files/<int:pk>/", views.meeting_attachment, name="meeting_attachment"),
    path("read/", views_reading.read, name="read"),
    path("report/", views.report, name="report"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/tile/", views.dashboard_tile, name="dashboard_tile"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/toggle/", views.rule_toggle, name="rule_toggle"),
]

from django.urls import path

app_name = "tickets"

# Pages are added by tuijin/tickets/views.py (see the block below).
urlpatterns: list = [
    # --- ticket pages (views.py) ---
    # --- inspection registry, dashboard (views_service.py) ---
]

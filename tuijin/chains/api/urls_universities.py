"""/api/chains/: universities, resources, cooperation records and matching (政产学研)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views_universities as views

router = SimpleRouter()
router.register("universities", views.ChainUniversityViewSet, basename="university")
router.register("resources", views.ChainResourceViewSet, basename="resource")
router.register("cooperations", views.ChainCooperationViewSet, basename="cooperation")

urlpatterns = [*router.urls, path("match/", views.ChainMatchView.as_view(), name="match")]

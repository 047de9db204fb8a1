from rest_framework.routers import DefaultRouter

from . import views

app_name = "progress-api"

router = DefaultRouter()
router.register("reports", views.ProgressReportViewSet)

urlpatterns = router.urls

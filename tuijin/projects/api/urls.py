from rest_framework.routers import DefaultRouter

from . import views

app_name = "projects-api"

router = DefaultRouter()
router.register("projects", views.ProjectViewSet)
router.register("plans", views.AnnualPlanViewSet)

urlpatterns = router.urls

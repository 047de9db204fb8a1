from rest_framework.routers import DefaultRouter

from . import views

app_name = "org-api"

router = DefaultRouter()
router.register("units", views.OrgUnitViewSet)
router.register("people", views.PersonViewSet)

urlpatterns = router.urls

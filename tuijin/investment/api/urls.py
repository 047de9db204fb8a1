from rest_framework.routers import DefaultRouter

from . import views

app_name = "investment-api"

router = DefaultRouter()
router.register("leads", views.LeadViewSet)

urlpatterns = router.urls

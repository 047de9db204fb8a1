from rest_framework.routers import DefaultRouter

from . import views

app_name = "assessment-api"

router = DefaultRouter()
views.register(router)

urlpatterns = router.urls

from rest_framework.routers import DefaultRouter

from . import views

app_name = "benchmarks-api"

router = DefaultRouter()
views.register(router)

urlpatterns = router.urls

from rest_framework.routers import DefaultRouter

from . import views

app_name = "funds-api"

router = DefaultRouter()
views.register(router)

urlpatterns = router.urls

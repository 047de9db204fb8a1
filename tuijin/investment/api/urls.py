from rest_framework.routers import DefaultRouter

from . import cases, dashboard, excel, ledger, signing, views

app_name = "investment-api"

router = DefaultRouter()
router.register("leads", views.LeadViewSet)
for part in (ledger, signing, cases, dashboard, excel):
    part.register(router)

urlpatterns = router.urls

"""/api/chains/ routes of the chain map: chains, nodes, node-enterprises, status-changes, refresh."""

from rest_framework.routers import SimpleRouter

from . import views_map

router = SimpleRouter()
views_map.register(router)

urlpatterns = router.urls

"""/api/chains/: chains, nodes and links (urls_map.py); universities, resources, cooperation, matching
(urls_universities.py)."""

from . import urls_map, urls_universities

app_name = "chains-api"

urlpatterns = [*urls_map.urlpatterns, *urls_universities.urlpatterns]

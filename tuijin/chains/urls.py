"""/chains/: the map, nodes, 链长 cockpit and lists (urls_map.py) and 政产学研 (urls_universities.py)."""

from . import urls_map, urls_universities

app_name = "chains"

urlpatterns = [*urls_map.urlpatterns, *urls_universities.urlpatterns]

"""URL patterns of one part of the investment app, included by urls.py (names in the `investment` namespace)."""

urlpatterns: list = []

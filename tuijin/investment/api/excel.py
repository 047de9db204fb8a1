"""API endpoints of one part of the investment app; `register(router)` is called by api/urls.py."""


def register(router) -> None:
    """Register this part's viewsets on the investment API router."""

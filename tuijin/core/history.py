"""Reading the change log (selectors)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .models import ObjectChange

__all__ = ["object_history"]


def object_history(obj, limit: int = 50) -> list[ObjectChange]:
    """Changes of `obj` and of objects that name it as their parent (a report under its project), newest first."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    condition = Q(changed_object_type=content_type, changed_object_id=obj.pk) | Q(
        related_object_type=content_type, related_object_id=obj.pk
    )
    return list(ObjectChange.objects.filter(condition).select_related("changed_object_type")[:limit])

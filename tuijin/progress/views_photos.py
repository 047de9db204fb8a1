"""Serving a report photo: the rendition and the thumbnail inline, the original (the evidence, with its EXIF) as a
download. Each one needs the report's view permission and scope (out of scope: 404)."""

import io
import warnings

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from tuijin.core.permissions import scoped_object_or_404
from tuijin.utilities.uploads import image_max_pixels

from .models import ReportPhoto


def _inline(field_file, content_type: str) -> FileResponse:
    response = FileResponse(field_file.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def _original_displayable(photo: ReportPhoto) -> bool:
    """A photo stored before renditions existed (the command `tuijin photo_evidence` not yet run) is shown as it is
    only when its header declares no more pixels than the upload limit."""
    from PIL import Image

    limit = image_max_pixels()
    if photo.width and photo.height:
        return photo.width * photo.height <= limit
    try:
        with photo.file.open("rb") as handle, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(handle.read())) as image:
                return image.size[0] * image.size[1] <= limit
    except Exception:
        return False


def _shown(photo: ReportPhoto, field_file):
    if field_file:
        return _inline(field_file, "image/jpeg")
    if photo.rendition:
        return _inline(photo.rendition, "image/jpeg")
    if _original_displayable(photo):
        return _inline(photo.file, photo.content_type)
    raise Http404("too many pixels to show inline")


@login_required
def photo_view(request, pk: int):
    """The rendition (long side ≤ 1600 px, EXIF orientation applied, no metadata)."""
    photo = scoped_object_or_404(request, ReportPhoto.objects.all(), pk)
    return _shown(photo, photo.rendition)


@login_required
def photo_thumb(request, pk: int):
    photo = scoped_object_or_404(request, ReportPhoto.objects.all(), pk)
    return _shown(photo, photo.thumbnail)


@login_required
def photo_original(request, pk: int):
    """The photo exactly as uploaded, EXIF included, as a download (never shown inline: it may be large)."""
    photo = scoped_object_or_404(request, ReportPhoto.objects.all(), pk)
    response = FileResponse(
        photo.file.open("rb"), content_type=photo.content_type, as_attachment=True, filename=photo.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

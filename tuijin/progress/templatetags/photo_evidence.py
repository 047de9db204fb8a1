"""`{% photo_flags photo %}` (the photo's evidence badges, worded for the viewer) and `{% photo_flags_summary photos %}`
(one line above a report's photos when any is flagged)."""

from django import template

from tuijin.progress.photo_evidence import photo_flag_messages

register = template.Library()


@register.inclusion_tag("progress/inc/photo_flags.html", takes_context=True)
def photo_flags(context, photo):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"photo": photo, "badges": photo_flag_messages(photo, user) if user is not None else []}


@register.inclusion_tag("progress/inc/photo_flags_summary.html")
def photo_flags_summary(photos):
    flagged = [p for p in photos if p.flag_far or p.flag_early or p.flag_reused]
    return {"flagged": len(flagged), "total": len(photos)}

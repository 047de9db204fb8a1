"""Forms of the working-day calendar pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["MAX_YEAR", "MIN_YEAR", "HolidayBulkForm"]

MIN_YEAR = 2000
MAX_YEAR = 2100

_PLACEHOLDER = "{year}-01-01,休,元旦\n{year}-02-14,班,春节调休上班\n{year}-10-01 休 国庆节"


class HolidayBulkForm(forms.Form):
    """A pasted block of holiday lines for one year; parsed and validated by `holiday_overrides_bulk_set`."""

    year = forms.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("节假日安排"),
        max_length=20000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control font-monospace"}),
        help_text=_("每行一天：日期,休/班,名称。“休”表示放假，“班”表示调休上班；逗号、空格或制表符分隔均可。"),
    )

    def __init__(self, *args, year: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if year is not None:
            self.fields["year"].initial = year
            self.fields["text"].widget.attrs["placeholder"] = _PLACEHOLDER.format(year=year)

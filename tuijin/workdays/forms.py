"""Forms of the working-day calendar pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["MAX_YEAR", "MIN_YEAR", "HolidayBulkForm", "HolidayNoticeForm", "HolidayYearCompleteForm"]

MIN_YEAR = 2000
MAX_YEAR = 2100

_PLACEHOLDER = "{year}-01-01,休,元旦\n{year}-02-14,班,春节调休上班\n{year}-10-01 休 国庆节"
_NOTICE_PLACEHOLDER = (
    "国务院办公厅关于{year}年部分节假日安排的通知\n"
    "一、元旦：1月1日（周×）放假1天，不调休。\n"
    "二、春节：……放假调休，共×天。……上班。"
)


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


class HolidayNoticeForm(forms.Form):
    """The pasted text of the State Council's holiday notice; `confirm` saves what the preview showed."""

    year = forms.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("国务院办公厅节假日安排通知"),
        max_length=20000,
        error_messages={"required": _("请粘贴通知文本。")},
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control"}),
        help_text=_(
            "粘贴《国务院办公厅关于××××年部分节假日安排的通知》全文或其中各条，先预览识别结果，确认无误后再保存。"
        ),
    )

    def __init__(self, *args, year: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if year is not None:
            self.fields["year"].initial = year
            self.fields["text"].widget.attrs["placeholder"] = _NOTICE_PLACEHOLDER.format(year=year)


class HolidayYearCompleteForm(forms.Form):
    """Set (1) or unset (0) a year's "全年安排已录入" flag."""

    complete = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")

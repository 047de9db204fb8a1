"""Validation of 项目代码 and 统一社会信用代码, with Chinese messages."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tuijin.utilities.codes import credit_code_is_valid

from .constants import LEGACY_CODE_RE, NEW_CODE_RE

__all__ = ["ProjectCode", "normalize_project_code", "parse_project_code", "validate_credit_code"]


@dataclass(frozen=True)
class ProjectCode:
    value: str
    is_legacy: bool
    region_code: str


def normalize_project_code(value: str) -> str:
    """Upper-case, trim, full-width hyphens and spaces folded."""
    value = (value or "").strip().upper()
    for dash in ("－", "—", "–", "﹣", "‐"):
        value = value.replace(dash, "-")
    return value.replace(" ", "")


def parse_project_code(value: str, *, region_codes: set[str] | None = None) -> ProjectCode:
    """Check the format (current YYMM-AAAAAA-DD-TT-RRRRRC, or the legacy YYYY-AAAAAA-DD-TT-NNNNNN) and the region.

    `region_codes`: the 6-digit 行政区划代码 the project's region may carry (the district and its parents' codes
    padded to six digits are accepted, since city- or province-level departments issue codes too).
    """
    code = normalize_project_code(value)
    match = NEW_CODE_RE.match(code)
    legacy_match = LEGACY_CODE_RE.match(code)
    # The current format took effect in November 2020, so a current code's YYMM is at least 2011; an all-digit
    # code whose first four digits cannot be such a YYMM is the legacy YYYY form (e.g. 2017-…).
    if match and 1 <= int(match.group(2)) <= 12 and (int(match.group(1)), int(match.group(2))) >= (20, 11):
        legacy, region = False, match.group(3)
    elif legacy_match and 1990 <= int(legacy_match.group(1)) <= 2020:
        legacy, region = True, legacy_match.group(2)
    elif match:
        raise ValidationError(_("项目代码的时间码应为“年年月月”（2020年11月以后），%(m)s 不正确。") % {"m": code[:4]})
    else:
        raise ValidationError(
            _(
                "项目代码格式不正确：应为“年年月月-6位区划代码-2位-2位-6位”"
                "（共24个字符，如 2403-410702-04-01-12345X），或旧版“年年年年-6位区划代码-2位-2位-6位数字”。"
            )
        )
    if region_codes and region not in region_codes:
        raise ValidationError(
            _("项目代码中的区划代码 %(code)s 与项目所在区划不符（应为 %(expected)s）。")
            % {"code": region, "expected": "、".join(sorted(region_codes))}
        )
    return ProjectCode(code, legacy, region)


def validate_credit_code(value: str) -> str:
    code = (value or "").strip().upper()
    if code and not credit_code_is_valid(code):
        raise ValidationError(_("统一社会信用代码“%(code)s”无效（应为18位且校验位正确）。") % {"code": value})
    return code

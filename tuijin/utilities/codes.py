"""Chinese identifier formats: 统一社会信用代码 (GB 32100-2015) with its check character."""

__all__ = ["CREDIT_CODE_CHARSET", "credit_code_check_char", "credit_code_is_valid"]

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARSET.index(ch) * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def credit_code_is_valid(code: str) -> bool:
    code = (code or "").strip().upper()
    if len(code) != 18 or any(ch not in CREDIT_CODE_CHARSET for ch in code):
        return False
    return credit_code_check_char(code[:17]) == code[17]

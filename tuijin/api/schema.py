"""The OpenAPI schema says what the API really answers (issue #19 item 5: schemathesis found 149 responses that broke
the schema). Two additions to drf-spectacular, both checked by `tests/browser/test_api_fuzz.py`:

- `AutoSchema` (`REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`): a read-only field keeps the model's `null` and `blank`.
  DRF drops `allow_blank` (and a declared read-only field never had `allow_null`), so drf-spectacular typed e.g. a
  ticket's `rating` (`""` until the enterprise rates) as one of its three choices and `Project.industry` (`null`
  when not set) as a plain string. The model field behind the field's source decides: `null=True` makes the field
  nullable, `blank=True` on a choice field adds `""` to its enum.
- `error_responses` (a `POSTPROCESSING_HOOKS` entry): every operation documents the error statuses the exception
  handler answers (`tuijin/api/exceptions.py`), with their JSON shapes: 400 (field errors or `{detail, code}`),
  401, 403, 404, 405, 406, 429 everywhere, and for writes also 409, 412 (stale version: `{detail, code, current,
  current_version}`), 413, 415 and 428 (no `If-Match`).
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from rest_framework import serializers

__all__ = ["AutoSchema", "error_responses"]


def _model_path(field) -> tuple[bool, bool] | None:
    """(nullable, blank choice) of the model field behind a serializer field's source, or None when the source is
    not a plain model-field path (a method, a property, `*`)."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None)
    if model is None or not attrs or field.source == "*":
        return None
    nullable = blank_choice = False
    for depth, attr in enumerate(attrs):
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        if depth == len(attrs) - 1:
            nullable = getattr(model_field, "null", False)
            blank_choice = bool(getattr(model_field, "choices", None)) and getattr(model_field, "blank", False)
        elif model_field.is_relation and not model_field.many_to_many and not model_field.one_to_many:
            model = model_field.related_model
        else:
            return None
    return nullable, blank_choice


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema is None or not field.read_only or isinstance(field, serializers.ManyRelatedField):
            return schema
        found = _model_path(field)
        if found is None:
            return schema
        nullable, blank_choice = found
        if "enum" in schema:
            if blank_choice and "" not in schema["enum"]:
                schema["enum"] = [*schema["enum"], ""]
            if nullable and None not in schema["enum"]:
                schema["enum"] = [*schema["enum"], None]
        elif nullable and not schema.get("nullable"):
            if "$ref" in schema:
                schema = {"allOf": [{"$ref": schema.pop("$ref")}], **schema}
            schema["nullable"] = True
        return schema


_REQUEST_ID = {"type": "string", "nullable": True, "description": "请求编号（日志中可查）"}
ERROR_SCHEMAS = {
    "ApiError": {
        "type": "object",
        "description": "错误：`detail` 为中文说明，`code` 为稳定的错误代码。",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}, "request_id": _REQUEST_ID},
        "required": ["detail"],
    },
    "ApiValidationError": {
        "description": "校验错误：`{字段: [说明…]}`（与字段无关的在 `non_field_errors`），或 `{detail, code}`。",
        # a field may be called `code` or `detail` too, with a list of messages: the keys are free
        "oneOf": [
            {"type": "object", "properties": {"request_id": _REQUEST_ID}, "additionalProperties": {}},
            {"type": "array", "items": {}},
        ],
    },
    "ApiConflict": {
        "type": "object",
        "description": "版本冲突：对象已被他人修改，未写入；`current` 为当前内容，`current_version` 为当前版本。",
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string"},
            "current": {"type": "object", "nullable": True, "additionalProperties": {}},
            "current_version": {"type": "integer", "nullable": True},
            "request_id": _REQUEST_ID,
        },
        "required": ["detail", "code"],
    },
}
_ERRORS = {
    "400": ("ApiValidationError", "请求有误（字段校验或业务规则）"),
    "401": ("ApiError", "未登录或令牌无效"),
    "403": ("ApiError", "无权限"),
    "404": ("ApiError", "对象不存在或不在权限范围内"),
    "405": ("ApiError", "不支持的请求方法"),
    "406": ("ApiError", "无法按 Accept 提供响应"),
    "429": ("ApiError", "请求过于频繁"),
}
_WRITE_ERRORS = {
    "409": ("ApiError", "与当前状态冲突"),
    "412": ("ApiConflict", "版本已变化（If-Match / version 过期），未写入"),
    "413": ("ApiError", "请求体过大"),
    "415": ("ApiError", "不支持的请求体类型"),
    "428": ("ApiError", "缺少 If-Match 请求头"),
}


def error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: document the error answers of `tuijin.api.exceptions` on every
    operation (a status the operation already documents is kept)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_SCHEMAS.items():
        schemas.setdefault(name, schema)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = dict(_ERRORS)
            if method in ("post", "put", "patch", "delete"):
                codes.update(_WRITE_ERRORS)
            for code, (component, description) in codes.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
                        "description": description,
                    },
                )
    return result

"""Projects constants: code formats, limits."""

import re

__all__ = [
    "ACTIVE_STAGES",
    "ALLOWED_TRANSITIONS",
    "ATTACHMENT_TYPES",
    "LEGACY_CODE_RE",
    "NEW_CODE_RE",
    "PERMIT_ITEM_CODE",
]

from .choices import Stage

# 项目代码 (GB/T 40058-2021): YYMM-AAAAAA-DD-TT-RRRRRC, 24 characters with hyphens.
NEW_CODE_RE = re.compile(r"^(\d{2})(\d{2})-(\d{6})-(\d{2})-(\d{2})-([0-9A-Z]{6})$")
# Pre-2020 format: YYYY-AAAAAA-DD-TT-NNNNNN (also 24 characters).
LEGACY_CODE_RE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")

# The approval item that marks the construction permit (拿地即开工 measures land deal → permit → start).
PERMIT_ITEM_CODE = "construction_permit"
LAND_DEAL_ITEM_CODE = "land_contract"

ACTIVE_STAGES = {Stage.PREPARATION, Stage.CONSTRUCTION}

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Stage.CONCEIVED: {Stage.RESERVE, Stage.PREPARATION, Stage.CANCELLED},
    Stage.RESERVE: {Stage.PREPARATION, Stage.CONCEIVED, Stage.SUSPENDED, Stage.CANCELLED},
    Stage.PREPARATION: {Stage.CONSTRUCTION, Stage.RESERVE, Stage.SUSPENDED, Stage.CANCELLED},
    Stage.CONSTRUCTION: {Stage.COMPLETED, Stage.SUSPENDED, Stage.CANCELLED},
    Stage.COMPLETED: {Stage.OPERATING, Stage.CONSTRUCTION},
    Stage.OPERATING: set(),
    Stage.SUSPENDED: {Stage.PREPARATION, Stage.CONSTRUCTION, Stage.CANCELLED},
    Stage.CANCELLED: set(),
}

# Attachments: content-sniffed type → allowed extension(s).
ATTACHMENT_TYPES = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}

"""Choices of the 督办 app: meeting kinds, task sources and states, timeline events, reading rule kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    CONSTRUCTION = "construction", _("项目建设大会")
    DISPATCH = "dispatch", _("调度会")
    EXECUTIVE = "executive", _("常务会")
    OBSERVATION = "observation", _("观摩评比")
    STUDY_VISIT = "study_visit", _("考察学习")
    SPECIAL = "special", _("专题会")


class TaskSource(models.TextChoices):
    MEETING = "meeting", _("会议决定")
    INSTRUCTION = "instruction", _("领导批示")
    DOCUMENT = "document", _("上级文件")
    VISIT = "visit", _("考察学习")


class TaskStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("办理中")
    REVIEW = "review", _("待审核办结")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


OPEN_STATUSES = (TaskStatus.IN_PROGRESS, TaskStatus.REVIEW)


class TaskColour(models.TextChoices):
    """The tri-colour 督办 status (computed, never stored): open tasks by their deadline, finished ones by whether
    they finished in time."""

    GREEN = "green", _("按时推进")
    YELLOW = "yellow", _("临近时限")
    RED = "red", _("已超期")
    DONE = "done", _("按期办结")
    DONE_LATE = "done_late", _("逾期办结")
    CANCELLED = "cancelled", _("已撤销")


class TaskEventType(models.TextChoices):
    CREATED = "created", _("交办")
    PROGRESS = "progress", _("报告进展")
    CLOSE_REQUESTED = "close_requested", _("申请办结")
    APPROVED = "approved", _("审核通过，办结")
    RETURNED = "returned", _("退回")
    DEADLINE = "deadline", _("调整时限")
    REMINDED = "reminded", _("临近提醒")
    ESCALATED = "escalated", _("超期升级")
    CANCELLED = "cancelled", pgettext_lazy("supervision", "撤销")
    EVIDENCE = "evidence", _("上传佐证")


class RuleKind(models.TextChoices):
    """What a reading rule is (the kinds of reading_rules.DEFAULT_RULES); the office edits them at
    /supervision/rules/."""

    DIRECTIVE = "directive", _("部署要求标志词")
    STOP = "stop", _("排除用语")
    DESCRIPTIVE = "descriptive", _("叙述性用语")
    SPEECH_VERB = "speech_verb", _("讲话用语")
    TARGET = "target", _("目标任务词")
    POSITION = "position", _("职务")
    MEETING_KIND = "meeting_kind", _("会议类型关键词")
    DEADLINE = "deadline", _("时限用语")
    VISIT_VERB = "visit_verb", _("考察用语")
    LESSON = "lesson", _("经验做法标志词")
    REGION = "region", _("对标地区")
    PLACE = "place", _("地名")
    HOME = "home", _("本地地名")
    CHAIR_VERB = "chair_verb", _("主持用语")
    ATTEND_VERB = "attend_verb", _("出席用语")
    UNIT_SUFFIX = "unit_suffix", _("单位名称后缀")
    SURNAME = "surname", _("姓氏")
    UNIT_PREFIX = "unit_prefix", _("单位名称前缀")
    UNIT_STOP = "unit_stop", _("非单位用语")
    NAME_FOLLOWER = "name_follower", _("人名后续词")

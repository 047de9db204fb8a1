"""The gap status of a chain node, computed from its links (docs/figures.md, 产业链).

本地在产主体 (local producing units) = local enterprises in production (本地企业 and 链主企业 marked 本地 and 在产)
+ the node's projects that reached production (项目阶段 投产, or its lead 投产/达产) + — when the rules say so — its
projects under construction (在建, or lead 开工). A project reached both directly and through its lead counts once.

- 0 → 空白;
- at least `strong_min` (and, when the rules require it, a 链主企业 among them) → 优势;
- otherwise → 薄弱.

Key suppliers outside the district and open leads are shown but never make a node less of a gap.
"""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from .choices import GapStatus

__all__ = ["NodeCounts", "Verdict", "judge"]


@dataclass(frozen=True)
class NodeCounts:
    enterprises: int = 0  # local enterprises in production (链主 included)
    leaders: int = 0  # of which 链主企业
    producing: int = 0  # projects (or leads) that reached production
    building: int = 0  # projects (or leads) under construction
    open_leads: int = 0  # leads 在谈/签约/注册
    suppliers: int = 0  # key suppliers (any location)
    resources: int = 0  # university resources serving the node

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    status: str
    present: int
    reason: str


def judge(counts: NodeCounts, *, strong_min: int, count_building: bool, strong_requires_leader: bool) -> Verdict:
    present = counts.enterprises + counts.producing + (counts.building if count_building else 0)
    parts = [_("本地在产企业 %(n)d 家") % {"n": counts.enterprises}, _("已投产项目 %(n)d 个") % {"n": counts.producing}]
    if count_building:
        parts.append(_("在建项目 %(n)d 个") % {"n": counts.building})
    basis = _("本地在产主体 %(n)d 个（%(parts)s）") % {"n": present, "parts": "、".join(parts)}
    if present == 0:
        return Verdict(GapStatus.GAP, present, _("%(basis)s → 空白") % {"basis": basis})
    if present >= strong_min and (counts.leaders > 0 or not strong_requires_leader):
        return Verdict(
            GapStatus.STRONG, present, _("%(basis)s，达到优势门槛 %(m)d → 优势") % {"basis": basis, "m": strong_min}
        )
    if present >= strong_min:
        return Verdict(GapStatus.WEAK, present, _("%(basis)s，但无链主企业 → 薄弱") % {"basis": basis})
    return Verdict(
        GapStatus.WEAK, present, _("%(basis)s，未达优势门槛 %(m)d → 薄弱") % {"basis": basis, "m": strong_min}
    )

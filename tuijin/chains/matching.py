"""政产学研 matching: which university resources fit a chain node or an enterprise's 技术/人才 诉求, with a score
that can be explained in one line ("匹配：光学薄膜、智能传感").

Terms:
- a resource: its keywords and its 研究方向, each split on commas, 、, ；, slashes and spaces (terms of one character
  and STOPWORDS such as 技术 or 人才 are dropped);
- a node: its keywords (split the same way) and its name;
- a ticket (诉求): its title, description and 需协调事项 as one text, so a resource term "found in" it is a term of the
  ticket.

Score, per (resource, node or ticket):
- 2 for each resource term equal to, or contained in, a term of the node (for a ticket: contained in its text);
- 1 for each further word the two share: both texts are cut into words by jieba (plus the two- and three-character
  dictionary words inside longer ones), words of one character, digits and STOPWORDS are dropped, and a word
  inside a term already counted above does not count again.

The explanation lists the terms counted for 2, then the shared words. Comparison is case-insensitive for Latin
letters and full-width characters count as half-width (NFKC); text is compared as typed (simplified Chinese).

Ranking: resources for a node or a ticket by score (then university and name); nodes for a resource with the gap
nodes (空白, 薄弱) first, then 优势 ones, each by score. Only scores ≥ MIN_SCORE are listed.

技术/人才 诉求 are the open tickets (待受理, 已交办, 办理中) whose category is one of `talent_categories()`: the
codes in TALENT_CODES (the built-in 用工/人才 is `labour`) and any catalogue category whose name contains one of
TALENT_WORDS (技术, 人才, 科技, 研发, 创新), so a 技术攻关 category the 项目办 adds counts at once.

Speed: each call reads the active resources once (one query) and builds their terms and words once; tickets are read
once (bounded by CANDIDATE_LIMIT, newest first). Cutting a text is cached per process.
"""

import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from tuijin.tickets.choices import TicketStatus
from tuijin.tickets.models import CategorySLA, Ticket

from .choices import GapStatus
from .models import ChainNode, UniversityResource

__all__ = [
    "CANDIDATE_LIMIT",
    "GAP_STATUSES",
    "MIN_SCORE",
    "OPEN_STATUSES",
    "STOPWORDS",
    "STRONG_SCORE",
    "TALENT_CODES",
    "TALENT_WORDS",
    "Match",
    "NodeMatch",
    "Profile",
    "TicketMatch",
    "explain",
    "node_profile",
    "nodes_for_resource",
    "pending_tickets",
    "resource_profile",
    "resources_for_node",
    "resources_for_ticket",
    "score",
    "split_terms",
    "talent_categories",
    "talent_tickets",
    "ticket_profile",
    "tickets_for_resource",
    "words",
]

MIN_SCORE = 1  # listed at all
STRONG_SCORE = 2  # "有可对接的高校资源" (the home-page to-do): one term, or two shared words
CANDIDATE_LIMIT = 2000  # tickets read per call, newest first
GAP_STATUSES = (GapStatus.GAP, GapStatus.WEAK)
OPEN_STATUSES = (TicketStatus.PENDING, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS)
TALENT_CODES = frozenset({"labour", "tech", "technology", "talent", "innovation", "rnd"})
TALENT_WORDS = ("技术", "人才", "科技", "研发", "创新")

# Words too common in 诉求 and resource texts to say anything about a fit.
STOPWORDS = frozenset(
    """
    技术 研究 研发 开发 应用 企业 公司
    有限公司 有限 高校 大学 学院 学校 需要
    需求 急需 希望 寻求 问题 解决 协调 合作
    对接 支持 帮助 提供 相关 进行 开展 推动
    提升 提高 加强 项目 工作 方面 领域 方向
    目前 现在 能力 服务 资源 中心 实验 实验室
    重点 平台 团队 工程 河南 河南省 新乡
    新乡市 红旗 红旗区 科技 产品 生产 建设
    发展 引进 人员 人才 一个 以及 可以 没有
    存在 缺少 缺乏 关键 核心 主要 我们 我司
    本公司 单位 情况 通过 用于 基于 实现 完成
    请求 申请 要求 等等 其他 材料 设备 系统
    工艺 装备 制造 加工 设计 智能
    """.split()
)

_SEPARATORS = re.compile(r"[,，、;；/|\s]+")
_HAS_WORD_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def split_terms(*texts: str) -> list[str]:
    """The terms of keyword-like texts, normalised, in order, without repeats, one-character terms or stopwords."""
    seen: dict[str, None] = {}
    for text in texts:
        for part in _SEPARATORS.split(_norm(text)):
            part = part.strip(" .。:：()（）[]【】\"'“”‘’")
            if len(part) >= 2 and part not in STOPWORDS:
                seen.setdefault(part, None)
    return list(seen)


# -- jieba, loaded once per process (as supervision/reading.py does) ------------------------------------------------

_tok_lock = threading.Lock()
_tokenizer: Any = None


def _cut(text: str) -> list[str]:
    global _tokenizer
    import jieba_pyfast

    with _tok_lock:
        if _tokenizer is None:
            tokenizer = jieba_pyfast.Tokenizer()
            tokenizer.tmp_dir = tempfile.gettempdir()
            tokenizer._ensure_initialized()
            _tokenizer = tokenizer
        tk = _tokenizer
        found: list[str] = []
        for token in tk.cut(text, HMM=True):
            if len(token) > 2:  # the dictionary words inside a long one too ("光学薄膜" → 光学, 薄膜)
                for n in (2, 3):
                    for i in range(len(token) - n + 1):
                        part = token[i : i + n]
                        if part != token and tk.FREQ.get(part):
                            found.append(part)
            found.append(token)
    return found


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """The words of `text` that may count for 1: two characters or more, a letter or a Chinese character in them,
    not a stopword; in order of first appearance."""
    seen: dict[str, None] = {}
    for token in _cut(_norm(text)):
        token = token.strip()
        if len(token) >= 2 and token not in STOPWORDS and _HAS_WORD_CHAR.search(token):
            seen.setdefault(token, None)
    return tuple(seen)


# -- profiles and the score -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What the score reads of one side: its terms (normalised) with their display form, and its words."""

    terms: tuple[str, ...]
    display: tuple[str, ...]
    words: tuple[str, ...]


def _profile(term_texts: list[str], word_text: str) -> Profile:
    display: dict[str, str] = {}
    for text in term_texts:
        for part in _SEPARATORS.split(unicodedata.normalize("NFKC", text or "")):
            part = part.strip(" .。:：()（）[]【】\"'“”‘’")
            if len(part) >= 2:
                display.setdefault(part.lower(), part)
    terms = tuple(split_terms(*term_texts))
    return Profile(terms, tuple(display.get(t, t) for t in terms), words(word_text))


def resource_profile(resource: UniversityResource) -> Profile:
    return _profile([resource.keywords, resource.field], f"{resource.keywords} {resource.field}")


def node_profile(node: ChainNode) -> Profile:
    return _profile([node.keywords, node.name], f"{node.name} {node.keywords}")


def ticket_profile(ticket: Ticket) -> Profile:
    text = f"{ticket.title}\n{ticket.description}\n{ticket.help_requested}"
    return Profile((_norm(text),), (text,), words(text))


def score(resource: Profile, target: Profile) -> tuple[int, tuple[str, ...]]:
    """(score, the terms and words counted, as shown): 2 per resource term equal to or inside a target term, 1 per
    further shared word."""
    matched: list[str] = []
    shown: list[str] = []
    for term, label in zip(resource.terms, resource.display, strict=True):
        if any(term in other for other in target.terms):
            matched.append(term)
            shown.append(label)
    total = 2 * len(matched)
    target_words = set(target.words)
    for word in resource.words:
        if word in target_words and not any(word in term for term in matched):
            total += 1
            shown.append(word)
    return total, tuple(shown)


def explain(terms) -> str:
    return _("匹配：%(t)s") % {"t": "、".join(terms)} if terms else ""


@dataclass(frozen=True)
class Match:
    """A resource for a node or a ticket."""

    resource: UniversityResource
    score: int
    terms: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return explain(self.terms)


@dataclass(frozen=True)
class NodeMatch:
    """A node for a resource; `linked`: the resource already serves it."""

    node: ChainNode
    score: int
    terms: tuple[str, ...]
    linked: bool = False

    @property
    def is_gap(self) -> bool:
        return self.node.status in GAP_STATUSES

    @property
    def explanation(self) -> str:
        return explain(self.terms)


@dataclass(frozen=True)
class TicketMatch:
    """A 技术/人才 诉求 for a resource (or, from `pending_tickets`, a 诉求 with its best resources)."""

    ticket: Ticket
    score: int
    terms: tuple[str, ...]
    resources: tuple[Match, ...] = ()

    @property
    def explanation(self) -> str:
        return explain(self.terms)


# -- reads ----------------------------------------------------------------------------------------------------------


def _active_resources() -> list[tuple[UniversityResource, Profile]]:
    resources = UniversityResource.objects.filter(is_active=True).select_related("university")
    resources = resources.order_by("university__sort_order", "university_id", "kind", "name", "pk")
    return [(r, resource_profile(r)) for r in resources]


def _rank_resources(profiles, target: Profile, limit: int | None) -> list[Match]:
    found = []
    for order, (resource, profile) in enumerate(profiles):
        points, terms = score(profile, target)
        if points >= MIN_SCORE:
            found.append((-points, order, Match(resource, points, terms)))
    found.sort(key=lambda item: item[:2])
    matches = [m for *_key, m in found]
    return matches[:limit] if limit is not None else matches


def resources_for_node(node: ChainNode, limit: int | None = 5) -> list[Match]:
    """The active resources that fit `node`, best first (one query)."""
    return _rank_resources(_active_resources(), node_profile(node), limit)


def resources_for_ticket(ticket: Ticket, limit: int | None = 5) -> list[Match]:
    """The active resources that fit a 诉求, best first (one query)."""
    return _rank_resources(_active_resources(), ticket_profile(ticket), limit)


def nodes_for_resource(resource: UniversityResource, limit: int | None = 10) -> list[NodeMatch]:
    """The nodes of active chains that `resource` fits: gap nodes (空白/薄弱) first, then 优势, each by score (two
    queries: the nodes and the resource's own links)."""
    profile = resource_profile(resource)
    linked = set(resource.nodes.values_list("pk", flat=True)) if resource.pk else set()
    nodes = ChainNode.objects.filter(chain__is_active=True).select_related("chain", "parent")
    found: list[tuple[int, int, int, NodeMatch]] = []
    for node in nodes.order_by("chain__sort_order", "chain_id", "sort_order", "pk"):
        points, terms = score(profile, node_profile(node))
        if points >= MIN_SCORE:
            match = NodeMatch(node, points, terms, node.pk in linked)
            found.append((0 if match.is_gap else 1, -points, len(found), match))
    found.sort(key=lambda item: item[:3])
    matches = [m for *_key, m in found]
    return matches[:limit] if limit is not None else matches


def talent_categories() -> list[str]:
    """The ticket category codes that are 技术 or 人才 诉求 (see the module docstring; one query)."""
    names = Q()
    for word in TALENT_WORDS:
        names |= Q(name__contains=word)
    codes = set(CategorySLA.objects.filter(Q(category__in=TALENT_CODES) | names).values_list("category", flat=True))
    return sorted(codes | {"labour"})


def talent_tickets(user, *, without_cooperation: bool = False):
    """The open 技术/人才 诉求 `user` may see, newest first (a queryset, not yet bounded)."""
    tickets = Ticket.objects.restrict(user, "view").filter(status__in=OPEN_STATUSES, category__in=talent_categories())
    if without_cooperation:
        tickets = tickets.filter(cooperations__isnull=True)
    return tickets.select_related("enterprise", "lead_unit", "project").order_by("-raised_at", "-pk")


def tickets_for_resource(resource: UniversityResource, user, limit: int | None = 10) -> list[TicketMatch]:
    """The open 技术/人才 诉求 `user` may see that `resource` fits, best first (three queries)."""
    profile = resource_profile(resource)
    found = []
    for order, ticket in enumerate(talent_tickets(user)[:CANDIDATE_LIMIT]):
        points, terms = score(profile, ticket_profile(ticket))
        if points >= MIN_SCORE:
            found.append((-points, order, TicketMatch(ticket, points, terms)))
    found.sort(key=lambda item: item[:2])
    matches = [m for *_key, m in found]
    return matches[:limit] if limit is not None else matches


def pending_tickets(user, *, min_score: int = STRONG_SCORE, per_ticket: int = 3) -> list[TicketMatch]:
    """The open 技术/人才 诉求 `user` may see with no cooperation record yet whose best resource scores at least
    `min_score`, each with its best `per_ticket` resources (`TicketMatch.resources`), newest first; three queries."""
    profiles = _active_resources()
    if not profiles:
        return []
    found = []
    for ticket in talent_tickets(user, without_cooperation=True)[:CANDIDATE_LIMIT]:
        matches = _rank_resources(profiles, ticket_profile(ticket), per_ticket)
        if matches and matches[0].score >= min_score:
            best = matches[0]
            found.append(TicketMatch(ticket, best.score, best.terms, tuple(matches)))
    return found

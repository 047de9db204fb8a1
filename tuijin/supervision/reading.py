"""The report-reading engine of 督办: it turns the pasted text of a meeting report into reviewable candidates (the
meeting, people and positions, units, enterprises, projects, targets, decisions with unit and deadline, visits,
lessons and peer regions), each with its sentence and the spans to highlight.

Pure functions over text: no database access. The platform's records come in as a `Lexicon`; the words to look for
come in as `Rules` (data, defaults in `reading_rules.py`). Steps:

1. `normalise`: strip pinyin glued after characters ("區(qū)"), full-width digits/letters/space to ASCII, then
   traditional to simplified (OpenCC t2s). Every offset afterwards is into this normalised text.
2. Split into sentences on 。！？；!?; and newlines.
3. Segment with jieba (one base tokenizer per process, plus the lexicon's and rules' words), so that markers and
   titles only match whole tokens: 主要/重要/需要 never count as 要.
4. Match lexicon entries (longest first), position titles and names, meeting keywords, targets, directive markers,
   deadlines, visit verbs and lesson markers, and build the candidates.
"""

import calendar
import io
import re
import tempfile
import threading
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

__all__ = [
    "MAX_CHARS",
    "Candidate",
    "Lexicon",
    "LexiconEntry",
    "Reading",
    "Rules",
    "normalise",
    "read_report",
    "resolve_deadline",
]

MAX_CHARS = 50_000

# --- data types ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LexiconEntry:
    """One name the platform knows. Aliases are more entries with the same `ref`."""

    text: str
    kind: str  # "unit", "person", "enterprise", "project", "chain", "region", "place"
    ref: tuple | None = None


@dataclass
class Lexicon:
    """The platform's own names, and the known positions of people (name -> titles)."""

    entries: list[LexiconEntry]
    people_positions: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Candidate:
    """One proposal for review. `spans[0]` is the span of `text` in `Reading.text`; later spans are extra
    highlights (a position title, a decision's marker, unit and deadline, further mentions of the same name)."""

    kind: str
    text: str
    sentence: int
    spans: list[tuple[int, int]]
    ref: tuple | None = None
    data: dict = field(default_factory=dict)


@dataclass
class Reading:
    """The result: the original and normalised text, sentence spans and the candidates in reading order."""

    original: str
    text: str
    sentences: list[tuple[int, int]]
    candidates: list[Candidate]

    def sentence_text(self, i: int) -> str:
        start, end = self.sentences[i]
        return self.text[start:end]

    def of_kind(self, kind: str) -> list[Candidate]:
        return [c for c in self.candidates if c.kind == kind]


class Rules:
    """Rule data: kind -> list of (text, value). Build with `from_mapping` (bare strings are accepted as
    (text, None)) or `default()`."""

    def __init__(self, items: dict[str, list[tuple[str, Any]]]):
        self._items = items
        self._values = {kind: dict(pairs) for kind, pairs in items.items()}
        self._texts = {kind: tuple(text for text, _value in pairs) for kind, pairs in items.items()}

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Iterable], *, fill_missing: bool = False) -> "Rules":
        """Rules from kind -> entries. With fill_missing, a kind absent from the mapping takes the default entries
        (a rules table seeded before a kind existed still reads with it)."""
        if fill_missing:
            from .reading_rules import DEFAULT_RULES

            mapping = {**{k: v for k, v in DEFAULT_RULES.items() if k not in mapping}, **mapping}
        items: dict[str, list[tuple[str, Any]]] = {}
        for kind, entries in mapping.items():
            pairs: list[tuple[str, Any]] = []
            seen: set[str] = set()
            for entry in entries:
                text, value = (entry, None) if isinstance(entry, str) else (entry[0], entry[1])
                text = str(text).strip()
                if text and text not in seen:
                    seen.add(text)
                    pairs.append((text, value))
            items[kind] = pairs
        return cls(items)

    @classmethod
    def default(cls) -> "Rules":
        from .reading_rules import DEFAULT_RULES

        return cls.from_mapping(DEFAULT_RULES)

    def merged(self, mapping: Mapping[str, Iterable]) -> "Rules":
        """These rules plus more entries (a later value for the same text wins)."""
        combined: dict[str, list] = {kind: list(pairs) for kind, pairs in self._items.items()}
        for kind, entries in mapping.items():
            extra = [(e, None) if isinstance(e, str) else (e[0], e[1]) for e in entries]
            keep = [p for p in combined.get(kind, []) if p[0] not in {t for t, _v in extra}]
            combined[kind] = keep + extra
        return Rules.from_mapping(combined)

    def texts(self, kind: str) -> list[str]:
        return list(self._texts.get(kind, ()))

    def value(self, kind: str, text: str) -> Any:
        return self._values.get(kind, {}).get(text)

    def to_mapping(self) -> dict[str, list[tuple[str, Any]]]:
        return {kind: list(pairs) for kind, pairs in self._items.items()}


# --- normalisation -------------------------------------------------------------------------------------------------

_TONES = str.maketrans(
    "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ",
    "aaaaeeeeiiiioooouuuuvvvvvnnnm",
)
_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|ia|ie|iu|in|ua|uo|ui|un|"
    r"ve|vn|ue|io|a|o|e|i|u|v)[1-5]?"
    r"|ng|hm|m|n"
)
_CJK = "\u3400-\u9fff\uf900-\ufaff"
# A CJK character, then (optional spaces) an ASCII or full-width parenthesis holding latin letters.
_PINYIN_LETTERS = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ1-5' "
_SPACE = r"[ \t\u3000]"
_PINYIN_GROUP = re.compile(
    r"(?<=[" + _CJK + r"])" + _SPACE + r"*[(（]" + _SPACE + r"*([" + _PINYIN_LETTERS + r"]{1,30})" + _SPACE + r"*[)）]"
    r"(?:" + _SPACE + r"+(?=[" + _CJK + r"]))?"
)
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
_FULLWIDTH.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})
_FULLWIDTH.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})
_FULLWIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0xFF05: 0x25, 0xFF0E: 0x2E})

_converter_lock = threading.Lock()
_converter = None


def _is_pinyin(group: str) -> bool:
    """True if the letters are whole pinyin syllables (space-separated or run together)."""
    words = [w for w in re.split(r"[ ']+", group.translate(_TONES)) if w]
    if not words:
        return False
    for word in words:
        # Dynamic programming over the word: can it be cut into syllables?
        ok = [True] + [False] * len(word)
        for end in range(1, len(word) + 1):
            ok[end] = any(ok[start] and _SYLLABLE.fullmatch(word, start, end) for start in range(max(0, end - 7), end))
        if not ok[-1]:
            return False
    return True


def _t2s(text: str) -> str:
    global _converter
    with _converter_lock:
        if _converter is None:
            import opencc

            _converter = opencc.OpenCC("t2s")
        return _converter.convert(text)


def normalise(text: str) -> str:
    """Strip pinyin artefacts, full-width digits/letters/space to ASCII, line ends to \\n, traditional to
    simplified. Idempotent."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_FULLWIDTH)
    text = _PINYIN_GROUP.sub(lambda m: "" if _is_pinyin(m.group(1)) else m.group(0), text)
    return _t2s(text)


# --- segmentation --------------------------------------------------------------------------------------------------

_tok_lock = threading.Lock()
_tokenizer: Any = None
_added: dict[str, int | None] = {}  # word -> its base-dictionary frequency before we raised it (None: absent)
_USER_FREQ = 100_000


def _segment(text: str, words: set[str]) -> list[tuple[int, int]]:
    """Token spans of `text`, segmented with the base dictionary plus `words`. Words added for an earlier call and
    not wanted now are put back, so the result depends only on the arguments."""
    global _tokenizer
    import jieba_pyfast

    with _tok_lock:
        if _tokenizer is None:
            _tokenizer = jieba_pyfast.Tokenizer()
            _tokenizer.tmp_dir = tempfile.gettempdir()
        tk = _tokenizer
        tk._ensure_initialized()
        for word in [w for w in _added if w not in words]:
            before = _added.pop(word)
            tk.total -= tk.FREQ.get(word, 0)
            tk.FREQ[word] = before or 0
            tk.total += before or 0
        new = sorted(w for w in words if w not in _added and len(w) > 1 and not any(c.isspace() for c in w))
        if new:
            for word in new:
                freq = tk.FREQ.get(word)
                _added[word] = freq or None
            tk.load_userdict(io.BytesIO("".join("%s %d n\n" % (w, _USER_FREQ) for w in new).encode()))
        spans = []
        pos = 0
        for token in tk.cut(text, HMM=True):
            spans.append((pos, pos + len(token)))
            pos += len(token)
    return spans


# --- matching helpers ----------------------------------------------------------------------------------------------


class _Doc:
    """The normalised text with its sentences and tokens, and boundary lookups."""

    def __init__(self, text: str, sentences: list[tuple[int, int]], tokens: list[tuple[int, int]]):
        self.text = text
        self.sentences = sentences
        self.tokens = tokens
        self._token_end = dict(tokens)
        self.starts = {s for s, _e in tokens}
        self.ends = {e for _s, e in tokens}
        self._sentence_of = [0] * (len(text) + 1)
        for i, (s, e) in enumerate(sentences):
            for k in range(s, e + 1):
                self._sentence_of[k] = i

    def aligned(self, start: int, end: int) -> bool:
        return start in self.starts and end in self.ends

    def sentence_of(self, pos: int) -> int:
        return self._sentence_of[pos]

    def token_at(self, pos: int) -> tuple[int, int] | None:
        end = self._token_end.get(pos)
        return (pos, end) if end is not None else None


def _within(items: list, starts: list[int], s: int, e: int) -> list:
    """The items (sorted by start, `starts` their starts) that lie inside [s, e)."""
    return [item for item in items[bisect_left(starts, s) : bisect_left(starts, e)] if item[1] <= e]


def _find_all(text: str, word: str, start: int = 0, end: int | None = None) -> list[int]:
    found = []
    end = len(text) if end is None else end
    i = text.find(word, start, end)
    while i >= 0:
        found.append(i)
        i = text.find(word, i + 1, end)
    return found


def _longest_matches(
    text: str, words: Mapping[str, Any], start: int = 0, end: int | None = None
) -> list[tuple[int, int, str]]:
    """Non-overlapping occurrences of `words` in text[start:end], longest first at each position, left to right."""
    end = len(text) if end is None else end
    by_first: dict[str, list[str]] = {}
    for word in words:
        if word:
            by_first.setdefault(word[0], []).append(word)
    for lst in by_first.values():
        lst.sort(key=len, reverse=True)
    out = []
    i = start
    while i < end:
        for word in by_first.get(text[i], ()):
            if text.startswith(word, i) and i + len(word) <= end:
                out.append((i, i + len(word), word))
                i += len(word)
                break
        else:
            i += 1
    return out


# --- dates and deadlines -------------------------------------------------------------------------------------------

_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _num(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s in _CN_NUM:
        return _CN_NUM[s]
    if s.startswith("十"):  # 十一, 十二
        return 10 + _CN_NUM.get(s[1:], 0)
    if s.endswith("十"):
        return _CN_NUM.get(s[0], 0) * 10
    if "十" in s:
        a, b = s.split("十", 1)
        return _CN_NUM.get(a, 0) * 10 + _CN_NUM.get(b, 0)
    return 0


_N = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATE_RE = re.compile(r"(?:(\d{4})年)?" + _N + r"月" + _N + r"[日号]")
_WORKDAYS_RE = re.compile(r"(\d{1,3}|[一二三四五六七八九十两]{1,3})个?工作日内")
_DAYS_RE = re.compile(r"(\d{1,3}|[一二三四五六七八九十两]{1,3})(?:天|日)内")
_MONTH_RE = re.compile(r"(?:(\d{4})年)?" + _N + r"月(底|末|中旬|上旬|下旬|份|前)")
_DEADLINE_TAIL = re.compile(r"(?:之?前|以前|内|底前|完成|实现|开工|投产)")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _roll(d: date, anchor: date, explicit_year: bool) -> date:
    """A month/day without a year that falls before the anchor means next year's."""
    if not explicit_year and d < anchor:
        try:
            return d.replace(year=d.year + 1)
        except ValueError:  # 29 Feb
            return d.replace(year=d.year + 1, day=28)
    return d


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _find_deadline(text: str, start: int, end: int, anchor: date, rules: Rules) -> dict | None:
    """The first deadline phrase in text[start:end], resolved against the anchor date."""
    found: list[tuple[int, int, dict]] = []
    seg = text[start:end]
    for m in _WORKDAYS_RE.finditer(seg):
        found.append((m.start(), m.end(), {"deadline": None, "workdays": _num(m.group(1))}))
    for m in _DAYS_RE.finditer(seg):
        if "工作" in seg[max(0, m.start() - 2) : m.start()]:
            continue
        if "后" in seg[max(0, m.start() - 1) : m.start()]:  # "拿地后30日内": counted from an event, not the meeting
            found.append((m.start(), m.end(), {"deadline": None, "days_after_event": _num(m.group(1))}))
            continue
        found.append((m.start(), m.end(), {"deadline": anchor + timedelta(days=_num(m.group(1)))}))
    for m in _DATE_RE.finditer(seg):
        year = int(m.group(1)) if m.group(1) else anchor.year
        d = _safe_date(year, _num(m.group(2)), _num(m.group(3)))
        if d:
            tail = _DEADLINE_TAIL.match(seg, m.end())
            e = m.end() + (len(tail.group(0)) if tail and "前" in tail.group(0) else 0)
            found.append((m.start(), e, {"deadline": _roll(d, anchor, bool(m.group(1)))}))
    for m in _MONTH_RE.finditer(seg):
        if seg[m.end() - 1] == "前" and _DATE_RE.match(seg, m.start()):
            continue
        year = int(m.group(1)) if m.group(1) else anchor.year
        month = _num(m.group(2))
        if not 1 <= month <= 12:
            continue
        which = m.group(3)
        day = {"中旬": 20, "上旬": 10}.get(which)
        if which == "前":  # "6月前": before June
            d = _month_end(year, month - 1) if month > 1 else date(year - 1, 12, 31)
        else:
            d = date(year, month, day) if day else _month_end(year, month)
        e = m.end()
        if seg.startswith("前", e):
            e += 1
        found.append((m.start(), e, {"deadline": _roll(d, anchor, bool(m.group(1)))}))
    words = {w: rules.value("deadline", w) for w in rules.texts("deadline")}
    for s, e, word in _longest_matches(seg, words):
        if any(fs <= s < fe for fs, fe, _d in found):
            continue
        spec = words[word] or ""
        d = None
        if spec == "month_end":
            d = _month_end(anchor.year, anchor.month)
        elif spec == "next_month_end":
            d = _month_end(anchor.year + anchor.month // 12, anchor.month % 12 + 1)
        elif re.fullmatch(r"\d{2}-\d{2}", spec):
            d = _safe_date(anchor.year, int(spec[:2]), int(spec[3:]))
            if d:
                d = _roll(d, anchor, False)
        if s >= 4 and re.match(r"\d{4}年", seg[s - 5 : s]):
            year = int(seg[s - 5 : s - 1])
            s -= 5
            d = d.replace(year=year) if d else None
        tail = re.match(r"末?之?前|以前|内", seg[e:])
        if tail:
            e += len(tail.group(0))
        found.append((s, e, {"deadline": d}))
    if not found:
        return None

    # A phrase that states a limit (…前, …内, a dated day) wins over a bare period word ("下半年要…").
    def bare(f: tuple) -> bool:
        phrase = seg[f[0] : f[1]]
        return "workdays" not in f[2] and "days_after_event" not in f[2] and not re.search(r"[前内底]$|[日号]$", phrase)

    s, e, info = min(found, key=lambda f: (bare(f), f[0], -f[1]))
    return {**info, "deadline_text": seg[s:e], "span": (start + s, start + e)}


def resolve_deadline(phrase: str, anchor: date, rules: Rules | None = None) -> dict | None:
    """The deadline of a phrase ("6月底前", "一季度", "10个工作日内") against the anchor date: a dict with
    `deadline` (date or None), `deadline_text` and, for working days, `workdays`. None if there is no deadline."""
    text = normalise(phrase)
    found = _find_deadline(text, 0, len(text), anchor, rules or Rules.default())
    if found:
        found.pop("span")
    return found


def _meeting_date(text: str, sentences: list[tuple[int, int]], today: date) -> tuple[date | None, tuple | None]:
    """The meeting date from the first sentences; 近日/日前 and no date give None."""
    for s, e in sentences[:3]:
        m = _DATE_RE.search(text, s, e)
        if not m:
            continue
        if m.group(1):
            return _safe_date(int(m.group(1)), _num(m.group(2)), _num(m.group(3))), m.span()
        d = _safe_date(today.year, _num(m.group(2)), _num(m.group(3)))
        if d and d > today + timedelta(days=31):  # a report read in January about December
            d = d.replace(year=d.year - 1)
        return d, m.span()
    return None, None


# --- the reader ----------------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_ENUM = re.compile(
    r"(?:[（(]?[一二三四五六七八九十\d]{1,2}[)）、.．](?!\d)|[一二三四五六七八九十]是|第[一二三四五六七八九十]+[，,、]?)\s*"
)
_ENUM_YAO = re.compile(r"[一二三四五六七八九十](?=要)")
_UNIT_GLUE = set("要等和与及在对将作")
_PUNCT_STRIP = " \t，,：:、“”\"'‘’"


def _split_sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for m in list(_SENTENCE_END.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        start = end + 1 if m else end
    return spans


class _Reader:
    def __init__(self, text: str, lexicon: Lexicon, rules: Rules, today: date):
        self.text = text
        self.lexicon = lexicon
        self.rules = rules
        self.today = today
        self.entries: dict[str, list[LexiconEntry]] = {}
        for entry in lexicon.entries:
            if entry.text.strip():
                self.entries.setdefault(normalise(entry.text.strip()), []).append(entry)
        self.canonical: dict[tuple, str] = {}
        for entry in lexicon.entries:
            if entry.ref is not None:
                self.canonical.setdefault(entry.ref, entry.text)
        sentences = _split_sentences(text)
        words = set(self.entries)
        for kind in ("directive", "position", "target", "meeting_kind", "deadline", "region", "place", "visit_verb"):
            words.update(rules.texts(kind))
        self.doc = _Doc(text, sentences, _segment(text, words) if text else [])
        self.candidates: list[Candidate] = []
        # Rule lookups used per sentence or per name, built once.
        self.surnames = set(rules.texts("surname"))
        self.followers = rules.texts("name_follower")
        self.titles = rules.texts("position")
        self.markers = {w: rules.value("directive", w) for w in rules.texts("directive")}
        self.stops = rules.texts("stop")
        self.descriptive = rules.texts("descriptive")

    # entity mentions -------------------------------------------------------------------------------------------

    def _mentions(self) -> list[tuple[int, int, str, LexiconEntry | None]]:
        """Lexicon and rule-listed names, longest first; person names must be whole tokens."""
        table: dict[str, Any] = dict(self.entries)
        for kind in ("region", "place"):
            for word in self.rules.texts(kind):
                table.setdefault(word, [LexiconEntry(word, kind)])
        home = set(self.rules.texts("home"))
        for word in home:
            table.setdefault(word, [])
        out = []
        for s, e, word in _longest_matches(self.text, table):
            entries = table[word]
            if not entries:
                continue
            entry = entries[0]
            if entry.kind == "person" and not self.doc.aligned(s, e):
                continue
            out.append((s, e, word, entry))
        return out

    def _proposed_units(self, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
        """Units the lexicon lacks: <prefix>…<suffix> (区…局, 镇…所) inside one clause, ending on a token
        boundary and not overlapping a lexicon name."""
        suffixes = "|".join(re.escape(s) for s in sorted(self.rules.texts("unit_suffix"), key=len, reverse=True))
        prefixes = "|".join(re.escape(s) for s in sorted(self.rules.texts("unit_prefix"), key=len, reverse=True))
        if not suffixes or not prefixes:
            return []
        out = []
        stop = set(self.rules.texts("unit_stop"))
        pattern = re.compile(r"(?:" + prefixes + r")[" + _CJK + r"]{1,8}?(?:" + suffixes + r")")
        titles = self.rules.texts("position")
        covered = bytearray(len(self.text))
        for ts, te in taken:
            covered[ts:te] = b"\x01" * (te - ts)
        for m in pattern.finditer(self.text):
            s, e = m.span()
            # HMM may glue the next character on ("局要"): accept a few such joins.
            glued = e + 1 in self.doc.ends and self.text[e : e + 1] in _UNIT_GLUE
            if not (e in self.doc.ends or glued) or any(covered[s:e]):
                continue
            name = m.group(0)
            if any(t in name for t in titles) or name in stop:
                continue
            out.append((s, e, name))
        return out

    # people -------------------------------------------------------------------------------------------------------

    def _name_at(self, pos: int, persons: dict[int, tuple[int, str]]) -> tuple[int, int, str] | None:
        """A person's name starting at pos: a lexicon person, or 2-3 characters starting with a surname and ending
        where punctuation or a follower word ("等", "主持", "出席") starts; else the jieba token."""
        if pos in persons:
            end, name = persons[pos]
            return pos, end, name
        surnames, followers, text = self.surnames, self.followers, self.text
        if text[pos : pos + 1] not in surnames and text[pos : pos + 2] not in surnames:
            return None

        def ends_name(k: int) -> bool:
            return (
                k >= len(text)
                or not re.match("[" + _CJK + "]", text[k])
                or any(text.startswith(f, k) for f in followers)
            )

        word = None
        for length in (3, 2):
            k = pos + length
            if re.fullmatch("[" + _CJK + "]+", text[pos:k]) and ends_name(k) and not ends_name(k - 1):
                word = text[pos:k]
                break
        if word is None:
            tok = self.doc.token_at(pos)
            if tok and tok[1] - tok[0] == 1:  # HMM split the surname off ("周" "海涛"): join the given name
                nxt = self.doc.token_at(tok[1])
                tok = (tok[0], nxt[1]) if nxt and nxt[1] - nxt[0] <= 2 else None
            if tok and 2 <= tok[1] - tok[0] <= 3 and re.fullmatch("[" + _CJK + "]+", text[tok[0] : tok[1]]):
                word = text[tok[0] : tok[1]]
        if word is None or any(word.startswith(t) for t in self.titles):
            return None
        return pos, pos + len(word), word

    def _people(self, mentions, units) -> list[Candidate]:
        persons = {s: (e, w) for s, e, w, entry in mentions if entry and entry.kind == "person"}
        unit_end = {e: (s, w) for s, e, w in units}
        unit_end.update({e: (s, w) for s, e, w, entry in mentions if entry.kind == "unit"})
        titles = {t: self.rules.value("position", t) for t in self.rules.texts("position")}
        found: dict[str, Candidate] = {}
        order: list[str] = []
        matches = [m for m in _longest_matches(self.text, titles) if self.doc.aligned(m[0], m[1])]
        i = 0
        while i < len(matches):
            s, e, title = matches[i]
            chain_start = s
            if titles[title] == "after_unit":
                if s not in unit_end:
                    i += 1
                    continue
                chain_start = unit_end[s][0]
            # Follow a chain of titles joined by 、 ("区委常委、常务副区长").
            j = i
            while j + 1 < len(matches) and matches[j + 1][0] in (matches[j][1], matches[j][1] + 1):
                gap = self.text[matches[j][1] : matches[j + 1][0]]
                nxt_title = matches[j + 1][2]
                if gap not in ("", "、") or (titles[nxt_title] == "after_unit" and gap):
                    break
                j += 1
            end = matches[j][1]
            name = self._name_at(end, persons)
            names = []
            while name:
                names.append(name)
                # "副区长王建军、李敏": later names in a 、 list share the title.
                nxt = self._name_at(name[1] + 1, persons) if self.text[name[1] : name[1] + 1] == "、" else None
                known = self.lexicon.people_positions.get(nxt[2]) if nxt else None
                name = nxt if nxt and not known else None
            for ns, ne, word in names:
                position = self.text[chain_start:end]
                if word not in found:
                    order.append(word)
                    found[word] = Candidate(
                        "person",
                        word,
                        self.doc.sentence_of(ns),
                        [(ns, ne), (chain_start, end)],
                        ref=self._ref_of(word, "person"),
                        data={"name": word, "position": position, "position_in_text": True},
                    )
                else:
                    found[word].spans.append((ns, ne))
                    if not found[word].data["position_in_text"]:
                        found[word].data.update(position=position, position_in_text=True)
                        found[word].spans.append((chain_start, end))
            i = j + 1
        spans_of: dict[str, set] = {}
        for s, e, word in [(s, e, w) for s, (e, w) in sorted(persons.items())]:
            if word in found:
                seen = spans_of.get(word)
                if seen is None:
                    seen = spans_of[word] = set(found[word].spans)
                if (s, e) not in seen:
                    seen.add((s, e))
                    found[word].spans.append((s, e))
                continue
            known = self.lexicon.people_positions.get(word) or []
            order.append(word)
            found[word] = Candidate(
                "person",
                word,
                self.doc.sentence_of(s),
                [(s, e)],
                ref=self._ref_of(word, "person"),
                data={"name": word, "position": known[0] if known else None, "position_in_text": False},
            )
        people = [found[w] for w in order]
        people.sort(key=lambda c: c.spans[0][0])
        return people

    def _ref_of(self, word: str, kind: str) -> tuple | None:
        for entry in self.entries.get(word, []):
            if entry.kind == kind:
                return entry.ref
        return None

    # entities -----------------------------------------------------------------------------------------------------

    def _entities(self, mentions, units) -> list[Candidate]:
        grouped: dict[tuple, Candidate] = {}
        items = [(s, e, w, entry.kind, entry.ref) for s, e, w, entry in mentions if entry.kind != "person"]
        items += [(s, e, w, "unit", None) for s, e, w in units]
        home = set(self.rules.texts("home"))
        for s, e, word, kind, ref in sorted(items):
            if word in home:
                continue
            key = (kind, ref) if ref is not None else (kind, word)
            if key in grouped:
                grouped[key].spans.append((s, e))
                grouped[key].data["sentences"].append(self.doc.sentence_of(s))
                continue
            canonical = self.canonical.get(ref, word) if ref is not None else word
            grouped[key] = Candidate(
                kind,
                word,
                self.doc.sentence_of(s),
                [(s, e)],
                ref=ref,
                data={"canonical": canonical, "matched": ref is not None, "sentences": [self.doc.sentence_of(s)]},
            )
        return list(grouped.values())

    # meeting ------------------------------------------------------------------------------------------------------

    def _meeting(self, people: list[Candidate]) -> tuple[Candidate | None, date | None]:
        kinds = {w: self.rules.value("meeting_kind", w) for w in self.rules.texts("meeting_kind")}
        hits = _longest_matches(self.text, kinds)
        meeting_date, date_span = _meeting_date(self.text, self.doc.sentences, self.today)
        if hits:
            s, e, word = hits[0]
            kind = kinds[word]
        else:
            m = re.search(r"(?:召开|举行)[^，。；\n]{0,20}?(?:会议|会)", self.text)
            if not m:
                return None, meeting_date
            s, e = m.span()
            word, kind = m.group(0), None
        i = self.doc.sentence_of(s)
        ss, se = self.doc.sentences[i]
        spans = [(s, e)]
        if date_span:
            spans.append(date_span)
        # A proposed title: from 召开/举行 (or the sentence start) up to the keyword's end.
        heads = [self.text.rfind(verb, ss, s) for verb in ("召开", "举行")]
        head = max(heads) + 2 if max(heads) >= 0 else ss
        title = self.text[head:e].strip(_PUNCT_STRIP) if head < e else word
        chair = None
        for verb in self.rules.texts("chair_verb"):
            for pos in _find_all(self.text, verb):
                before = [p for p in people if p.spans[0][1] <= pos and self.doc.sentence_of(pos) == p.sentence]
                before = [p for p in before if pos - p.spans[0][1] <= 12]
                if before:
                    chair = before[-1].text
                    spans.append(before[-1].spans[0])
                    break
                for p in people:  # "会议由X主持": the name before the verb in the sentence, any mention
                    for ps, pe in p.spans[:1] + [sp for sp in p.spans[1:] if self.text[sp[0] : sp[1]] == p.text]:
                        if pe <= pos and pos - pe <= 12 and self.doc.sentence_of(ps) == self.doc.sentence_of(pos):
                            chair = p.text
                if chair:
                    break
            if chair:
                break
        attend_sents = {
            self.doc.sentence_of(pos) for verb in self.rules.texts("attend_verb") for pos in _find_all(self.text, verb)
        }
        attendees = []
        for p in people:
            mention_sents = {self.doc.sentence_of(ps) for ps, pe in p.spans if self.text[ps:pe] == p.text}
            if p.text != chair and (not attend_sents or mention_sents & attend_sents):
                attendees.append(p.text)
        place = None
        # The place is named in the headline or the lead: "在X(主持)召开".
        lead_end = self.doc.sentences[min(2, len(self.doc.sentences) - 1)][1]
        pattern = re.compile(r"[在于]([^，。；\n在于]{2,20}?)(?:主持)?(?:召开|举行)")
        m = pattern.search(self.text, 0, max(se, lead_end))
        if m:
            place = m.group(1)
            spans.append(m.span(1))
        data = {
            "date": meeting_date,
            "kind": kind,
            "title": title,
            "chair": chair,
            "place": place,
            "attendees": attendees,
        }
        return Candidate("meeting", word, i, spans, data=data), meeting_date

    # targets ------------------------------------------------------------------------------------------------------

    def _targets(self) -> list[Candidate]:
        terms = {w: self.rules.value("target", w) for w in self.rules.texts("target")}
        out = []
        for s, e, word in _longest_matches(self.text, terms):
            i = self.doc.sentence_of(s)
            m = re.compile(r"[^，。；\n]{0,12}?(\d+(?:\.\d+)?\s*(?:%|个百分点|亿元|万元))").match(self.text, e)
            data: dict[str, Any] = {"canonical": terms[word] or word}
            spans = [(s, e)]
            if m and m.end() <= self.doc.sentences[i][1]:
                data["value"] = m.group(1)
                spans.append(m.span(1))
            out.append(Candidate("target", word, i, spans, data=data))
        return out

    # decisions ----------------------------------------------------------------------------------------------------

    def _marker(self, s: int, e: int, body: int) -> tuple[int, int, str] | None:
        markers = self.markers
        blocked = [(p, p + len(w)) for w in self.stops for p in _find_all(self.text, w, s, e)]
        descriptive = any(
            self.doc.aligned(p, p + len(w)) for w in self.descriptive for p in _find_all(self.text, w, s, e)
        )
        hits = []
        for word, strength in markers.items():
            for p in _find_all(self.text, word, s, e):
                q = p + len(word)
                if not self.doc.aligned(p, q) or any(bs < q and p < be for bs, be in blocked):
                    continue
                if strength != "strong" and descriptive:
                    continue
                hits.append((p, q, word))
        if not hits:
            return None
        # Prefer a marker in the decision proper over the lead-in's verb, then strong over weak, then the first.
        return min(hits, key=lambda h: (h[0] < body, markers[h[2]] != "strong", h[0], -h[1]))

    def _trim(self, s: int, e: int) -> int:
        """The start of the decision proper: past a speaker's lead-in ("会议强调，") and an enumerator ("一是")."""
        verbs = "|".join(re.escape(v) for v in self.rules.texts("speech_verb"))
        changed = True
        while changed and s < e:
            changed = False
            while s < e and self.text[s] in _PUNCT_STRIP:
                s += 1
                changed = True
            if verbs:
                m = re.compile(r"[^，,：:。]{0,14}?(?:" + verbs + r")[，,：:]").match(self.text, s, e)
                if m:
                    s = m.end()
                    changed = True
            m = _ENUM.match(self.text, s, e) or _ENUM_YAO.match(self.text, s, e)
            if m and m.end() > s:
                s = m.end()
                changed = True
        return s

    def _heading_end(self, i: int, body: int, end: int) -> int:
        """An enumerated heading ("（一）加快项目开工。对…，3月15日前全部开工。") takes in the rest of its line when
        those sentences carry no marker of their own, so the unit and deadline are read from the whole item."""
        s = self.doc.sentences[i][0]
        if body == s or end - body > 12 or not _ENUM.match(self.text, s):
            return end
        line_end = self.text.find("\n", end)
        line_end = len(self.text) if line_end < 0 else line_end
        for k in range(i + 1, len(self.doc.sentences)):
            ks, ke = self.doc.sentences[k]
            if ks >= line_end or self._marker(ks, ke, ks):
                break
            end = ke
        while end > body and self.text[end - 1] in _PUNCT_STRIP + "。":
            end -= 1
        return end

    def _decisions(self, mentions, units, anchor: date) -> list[Candidate]:
        unit_spans = [(s, e, w, entry.ref) for s, e, w, entry in mentions if entry.kind == "unit"]
        unit_spans += [(s, e, w, None) for s, e, w in units]
        unit_spans.sort(key=lambda u: u[0])
        unit_starts = [u[0] for u in unit_spans]
        out = []
        for i, (s, e) in enumerate(self.doc.sentences):
            body = self._trim(s, e)
            marker = self._marker(s, e, body)
            if not marker:
                continue
            while e > body and self.text[e - 1] in _PUNCT_STRIP:
                e -= 1
            if e - body < 6:  # only a lead-in ("会议要求：") or too short to be a task
                continue
            e = self._heading_end(i, body, e)
            inside = _within(unit_spans, unit_starts, s, e)
            unit = None
            lead = re.compile(r"由([^，。；]{2,30}?)牵头").search(self.text, s, e)
            if lead:
                unit = next((u for u in inside if lead.start(1) <= u[0] and u[1] <= lead.end(1)), None)
            if unit is None:
                unit = next(
                    (
                        u
                        for u in inside
                        if re.match(r"(?:[、和及与][^，。]{0,20}?)?(?:要|牵头|负责|务必|必须)", self.text[u[1] :])
                    ),
                    None,
                )
            if unit is None and inside:
                unit = inside[0]
            deadline = _find_deadline(self.text, s, e, anchor, self.rules)
            spans = [(body, e), (marker[0], marker[1])]
            data: dict[str, Any] = {
                "marker": marker[2],
                "unit_ref": unit[3] if unit else None,
                "unit_text": unit[2] if unit else None,
                "deadline": deadline["deadline"] if deadline else None,
                "deadline_text": deadline["deadline_text"] if deadline else None,
            }
            if unit:
                spans.append((unit[0], unit[1]))
            if deadline:
                spans.append(deadline["span"])
                for key in ("workdays", "days_after_event"):
                    if key in deadline:
                        data[key] = deadline[key]
            out.append(Candidate("decision", self.text[body:e], i, spans, data=data))
        return out

    # visits and lessons -------------------------------------------------------------------------------------------

    def _visits(self, mentions) -> list[Candidate]:
        verbs = self.rules.texts("visit_verb")
        out = []
        peers: dict[str, Candidate] = {}
        seen: set[tuple] = set()
        kinds = ("region", "place", "enterprise", "project", "unit")
        visitable = sorted((m for m in mentions if m[3].kind in kinds), key=lambda m: m[0])
        starts = [m[0] for m in visitable]
        for i, (s, e) in enumerate(self.doc.sentences):
            hits = [
                (p, p + len(v), v)
                for v in verbs
                for p in _find_all(self.text, v, s, e)
                if self.doc.aligned(p, p + len(v))
            ]
            if not hits:
                continue
            vs, ve, verb = min(hits)
            after = _within(visitable, starts, ve, e)
            if not after:
                continue
            places = [w for _s, _e, w, entry in after if entry.kind in ("region", "place", "unit")]
            enterprises = [w for _s, _e, w, entry in after if entry.kind in ("enterprise", "project")]
            if (tuple(places), tuple(enterprises)) in seen:  # the headline and the lead often repeat the trip
                continue
            seen.add((tuple(places), tuple(enterprises)))
            spans = [(s, e), (vs, ve)] + [(ms, me) for ms, me, _w, _en in after]
            out.append(
                Candidate(
                    "visit",
                    self.text[s:e],
                    i,
                    spans,
                    data={"verb": verb, "places": places, "enterprises": enterprises},
                )
            )
            for ms, me, word, entry in after:
                if entry.kind == "region" and word not in peers:
                    peers[word] = Candidate("peer", word, i, [(ms, me)], ref=entry.ref, data={"visit_sentence": i})
        return out + list(peers.values())

    def _lessons(self) -> list[Candidate]:
        out = []
        for i, (s, e) in enumerate(self.doc.sentences):
            for rule in self.rules.texts("lesson"):
                parts = [p for p in rule.split("…") if p]
                pos, spans = s, []
                for part in parts:
                    p = self.text.find(part, pos, e)
                    if p < 0:
                        break
                    spans.append((p, p + len(part)))
                    pos = p + len(part)
                else:
                    if spans:
                        body = self._trim(s, e)
                        out.append(
                            Candidate("lesson", self.text[body:e], i, [(body, e), *spans], data={"marker": rule})
                        )
                        break
        return out

    # all ----------------------------------------------------------------------------------------------------------

    def read(self) -> list[Candidate]:
        if not self.text.strip():
            return []
        mentions = self._mentions()
        units = self._proposed_units([(s, e) for s, e, _w, _en in mentions])
        people = self._people(mentions, units)
        # Name boundaries are surer than jieba's HMM guesses ("规划办要" comes back as "规划" "办要").
        for s, e in (
            [(m[0], m[1]) for m in mentions] + [(u[0], u[1]) for u in units] + [sp for p in people for sp in p.spans]
        ):
            self.doc.starts.update((s, e))
            self.doc.ends.update((s, e))
        meeting, meeting_date = self._meeting(people)
        anchor = meeting_date or self.today
        out: list[Candidate] = []
        if meeting:
            out.append(meeting)
        out += people
        out += self._entities(mentions, units)
        out += self._targets()
        out += self._decisions(mentions, units, anchor)
        out += self._visits(mentions)
        out += self._lessons()
        return out


def read_report(text: str, *, lexicon: Lexicon, rules: Rules | None = None, today: date | None = None) -> Reading:
    """Read a pasted report: normalise it, split it into sentences and propose candidates (see the module doc)."""
    if len(text) > MAX_CHARS:
        raise ValueError(_("文本过长（%(n)d 字），最多 %(max)d 字，请分段粘贴。") % {"n": len(text), "max": MAX_CHARS})
    today = today or date.today()  # noqa: DTZ011 - a calendar date; callers pass today for determinism
    normalised = normalise(text)
    reader = _Reader(normalised, lexicon, rules or Rules.default(), today)
    return Reading(original=text, text=normalised, sentences=reader.doc.sentences, candidates=reader.read())

"""Unit tests of the report-reading engine: normalisation, deadlines, markers, rules as data, spans and bounds."""

from datetime import date

import pytest

from tuijin.supervision.reading import (
    MAX_CHARS,
    Lexicon,
    LexiconEntry,
    Rules,
    normalise,
    read_report,
    resolve_deadline,
)

from .samples import load_gold, sample_lexicon

EMPTY = Lexicon(entries=[])
ANCHOR = date(2025, 3, 21)


def read(text: str, lexicon: Lexicon | None = None, rules: Rules | None = None, today: date = ANCHOR):
    return read_report(text, lexicon=lexicon or sample_lexicon(), rules=rules, today=today)


def decisions(reading) -> list[str]:
    return [c.text for c in reading.of_kind("decision")]


# --- normalise -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("紅旗區(qū)召開項目建設大會", "红旗区召开项目建设大会"),
        ("區（qū）委書記", "区委书记"),
        ("區(qu)委", "区委"),
        ("區 ( qū ) 委", "区委"),
        ("區（ qu ）委", "区委"),
        ("建設(jiàn shè)", "建设"),
        ("建設(jianshe)", "建设"),
        ("綠(lǜ)色", "绿色"),
        ("區(qu1)長", "区长"),
        ("紅旗區 (qu) 黨政", "红旗区党政"),
    ],
)
def test_normalise_strips_pinyin_and_converts(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    "kept",
    ["采用工程总承包(EPC)模式", "运通(新乡)智慧电商产业园", "附件(abc)", "(qu)开头", "项目(2025)"],
)
def test_normalise_keeps_what_is_not_pinyin(kept):
    assert normalise(kept) == kept


def test_normalise_full_width_and_line_ends():
    assert normalise("２０２５年３月２１日\u3000上午\r\n会议") == "2025年3月21日 上午\n会议"
    assert normalise("ＧＤＰ增长５．２％") == "GDP增长5.2%"


def test_normalise_is_idempotent():
    for sample in load_gold():
        once = normalise(sample["text"])
        assert normalise(once) == once, sample["file"]


# --- deadlines -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "anchor", "expected"),
    [
        ("6月底前", ANCHOR, date(2025, 6, 30)),
        ("3月31日前", ANCHOR, date(2025, 3, 31)),
        ("年底前", ANCHOR, date(2025, 12, 31)),
        ("年内", ANCHOR, date(2025, 12, 31)),
        ("一季度", ANCHOR, date(2025, 3, 31)),
        ("上半年", ANCHOR, date(2025, 6, 30)),
        ("三季度末前", ANCHOR, date(2025, 9, 30)),
        ("本月底", ANCHOR, date(2025, 3, 31)),
        ("本月底", date(2024, 2, 3), date(2024, 2, 29)),
        ("下月底", date(2025, 12, 10), date(2026, 1, 31)),
        ("9月中旬", ANCHOR, date(2025, 9, 20)),
        ("二月底前", ANCHOR, date(2026, 2, 28)),  # already past at the meeting: next year's
        ("2026年6月底前", ANCHOR, date(2026, 6, 30)),
        ("2025年3月1日前", ANCHOR, date(2025, 3, 1)),  # an explicit year is kept even when past
        ("15日内", ANCHOR, date(2025, 4, 5)),
        ("国庆节前", ANCHOR, date(2025, 9, 30)),
    ],
)
def test_deadline_phrases(phrase, anchor, expected):
    found = resolve_deadline(phrase, anchor)
    assert found is not None
    assert found["deadline"] == expected
    assert found["deadline_text"] == phrase


def test_working_days_are_left_to_the_calendar():
    found = resolve_deadline("10个工作日内", ANCHOR)
    assert found == {"deadline": None, "workdays": 10, "deadline_text": "10个工作日内"}


def test_days_after_an_event_have_no_date():
    found = resolve_deadline("拿地后30日内开工", ANCHOR)
    assert found["deadline"] is None
    assert found["days_after_event"] == 30


def test_no_deadline():
    assert resolve_deadline("近日", ANCHOR) is None
    assert resolve_deadline("抓紧推进", ANCHOR) is None


def test_decision_deadline_resolves_against_meeting_date_not_today():
    text = "2024年11月5日，红旗区召开项目建设调度会。区住建局要在3月底前完成审查。"
    reading = read(text, today=date(2025, 6, 1))
    meeting = reading.of_kind("meeting")[0]
    assert meeting.data["date"] == date(2024, 11, 5)
    (decision,) = reading.of_kind("decision")
    assert decision.data["deadline"] == date(2025, 3, 31)  # March after a November meeting
    assert decision.data["deadline_text"] == "3月底前"


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("3月21日，红旗区召开调度会。", date(2025, 4, 1), date(2025, 3, 21)),
        ("12月20日，红旗区召开调度会。", date(2026, 1, 5), date(2025, 12, 20)),
        ("近日，红旗区召开调度会。", date(2025, 4, 1), None),
        ("2024年3月21日，红旗区召开调度会。", date(2025, 4, 1), date(2024, 3, 21)),
    ],
)
def test_meeting_date(text, today, expected):
    (meeting,) = read(text, today=today).of_kind("meeting")
    assert meeting.data["date"] == expected
    assert meeting.data["kind"] == "dispatch"


def test_decision_without_meeting_date_uses_today():
    reading = read("近日，红旗区召开调度会。区商务局要在本月底前完成调查。", today=date(2025, 4, 8))
    assert reading.of_kind("decision")[0].data["deadline"] == date(2025, 4, 30)


# --- markers -------------------------------------------------------------------------------------------------------


def test_yao_inside_other_words_does_not_trigger():
    reading = read("这是主要任务。这是重要工作。项目需要资金。会议纪要已印发。要素保障有力。")
    assert decisions(reading) == []


def test_yao_as_a_word_triggers():
    assert decisions(read("各单位要加快项目进度。")) == ["各单位要加快项目进度"]


def test_lead_in_is_a_directive_and_is_trimmed():
    assert decisions(read("会议要求，各街道按时完成征迁任务。")) == ["各街道按时完成征迁任务"]
    assert decisions(read("会议要求：")) == []


def test_enumerator_trimmed():
    assert decisions(read("一是要加快项目建设进度；二要压实各方责任。")) == ["要加快项目建设进度", "要压实各方责任"]


def test_noun_use_of_requirement_does_not_trigger():
    assert decisions(read("按照市委的要求，全区完成投资10亿元。")) == []


def test_weak_marker_in_a_descriptive_sentence_does_not_trigger():
    assert decisions(read("今年以来，全区持续推进项目建设，累计完成投资10亿元。")) == []
    assert decisions(read("加快推进东环路改造工程建设。")) == ["加快推进东环路改造工程建设"]


def test_responsible_unit():
    (d,) = read("由区商务局牵头，会同区财政局年底前完成招商入驻。").of_kind("decision")
    assert d.data["unit_text"] == "区商务局"
    assert d.data["unit_ref"] == ("unit", 10)
    (d,) = read("按照会议安排，渠东街道配合，区住建局要抓紧完成审查。").of_kind("decision")
    assert d.data["unit_text"] == "区住建局"
    (d,) = read("各单位要抓紧完成自查工作。").of_kind("decision")
    assert d.data["unit_ref"] is None and d.data["unit_text"] is None


def test_alias_returns_the_record_ref():
    (d,) = read("红开区要加快日升数控二期项目建设。").of_kind("decision")
    assert d.data["unit_ref"] == ("unit", 8)
    (unit,) = read("红开区要加快日升数控二期项目建设。").of_kind("unit")
    assert unit.text == "红开区"
    assert unit.data["canonical"] == "红旗区先进制造业开发区"


# --- rules are data ------------------------------------------------------------------------------------------------


def test_adding_a_marker_changes_the_result():
    text = "区商务局督促企业按期开工投产。"
    assert decisions(read(text)) == []
    rules = Rules.default().merged({"directive": [("督促", "strong")]})
    (d,) = read(text, rules=rules).of_kind("decision")
    assert d.data["marker"] == "督促"


def test_removing_a_marker_changes_the_result():
    mapping = Rules.default().to_mapping()
    mapping["directive"] = [(t, v) for t, v in mapping["directive"] if t != "要"]
    assert decisions(read("各单位要按时报送材料。", rules=Rules.from_mapping(mapping))) == []


def test_adding_a_position_title_and_a_region():
    text = "区委秘书长周海涛赴安阳考察学习。"
    assert read(text).of_kind("person") == []
    assert read(text).of_kind("peer") == []
    rules = Rules.default().merged({"position": ["区委秘书长"], "region": ["安阳"]})
    reading = read(text, rules=rules)
    (person,) = reading.of_kind("person")
    assert person.data == {"name": "周海涛", "position": "区委秘书长", "position_in_text": True}
    assert [p.text for p in reading.of_kind("peer")] == ["安阳"]


def test_from_mapping_accepts_bare_strings_and_pairs():
    rules = Rules.from_mapping({"directive": ["要", ("确保", "strong")], "meeting_kind": [("调度会", "dispatch")]})
    assert rules.texts("directive") == ["要", "确保"]
    assert rules.value("directive", "确保") == "strong"
    assert rules.value("meeting_kind", "调度会") == "dispatch"
    assert rules.texts("unknown") == []


def test_adding_a_lexicon_name_changes_the_result():
    text = "区交投集团要加快东环路建设。"
    assert [c.text for c in read(text).of_kind("enterprise")] == []
    lexicon = sample_lexicon()
    lexicon.entries.append(LexiconEntry("区交投集团", "enterprise", ("enterprise", 99)))
    (ent,) = read(text, lexicon=lexicon).of_kind("enterprise")
    assert ent.ref == ("enterprise", 99)


def test_result_depends_only_on_arguments():
    # The shared tokenizer gains words from one lexicon; they must not change another call's result.
    text = "各单位要加快进度。"
    before = read(text)
    assert decisions(before) == ["各单位要加快进度"]
    polluting = Lexicon(entries=[LexiconEntry("位要加快", "place", ("place", 1))])
    assert decisions(read(text, lexicon=polluting)) == []  # the word swallows the marker
    assert read(text) == before


# --- people, meeting, visits ---------------------------------------------------------------------------------------


def test_people_from_lexicon_get_known_positions():
    (person,) = read("刘宏锋出席会议。").of_kind("person")
    assert person.data == {"name": "刘宏锋", "position": "区委书记", "position_in_text": False}
    assert person.ref == ("person", 1)


def test_meeting_chair_place_attendees():
    text = "5月6日，区长刘怀斌在区政府二楼会议室主持召开专题会议，副区长王建军、李敏参加会议。"
    (meeting,) = read(text, today=date(2025, 5, 10)).of_kind("meeting")
    assert meeting.data["kind"] == "special"
    assert meeting.data["chair"] == "刘怀斌"
    assert meeting.data["place"] == "区政府二楼会议室"
    assert meeting.data["attendees"] == ["王建军", "李敏"]


def test_visit_lesson_peer():
    text = "代表团赴鹤壁、长垣考察学习，先后到北方仪表参观。长垣的好做法值得借鉴。"
    reading = read(text)
    assert reading.of_kind("meeting")[0].data["kind"] == "study_visit"
    assert [v.data["places"] for v in reading.of_kind("visit")] == [["鹤壁", "长垣"]]
    assert [p.text for p in reading.of_kind("peer")] == ["鹤壁", "长垣"]
    assert [c.text for c in reading.of_kind("lesson")] == ["长垣的好做法值得借鉴"]


def test_targets():
    reading = read("力争一季度实现开门红，二产占比达到45%。")
    assert [(t.text, t.data["canonical"], t.data.get("value")) for t in reading.of_kind("target")] == [
        ("开门红", "开门红", None),
        ("二产占比", "二产占比", "45%"),
    ]


# --- spans ---------------------------------------------------------------------------------------------------------


def test_spans_point_at_the_candidate_text():
    lexicon = sample_lexicon()
    seen = set()
    for sample in load_gold():
        reading = read_report(sample["text"], lexicon=lexicon, today=sample["today"])
        for c in reading.candidates:
            seen.add(c.kind)
            s, e = c.spans[0]
            assert reading.text[s:e] == c.text, (sample["file"], c)
            for s, e in c.spans:
                assert 0 <= s < e <= len(reading.text)
            sentence_start, sentence_end = reading.sentences[c.sentence]
            assert sentence_start <= c.spans[0][0] < sentence_end, (sample["file"], c)
            if c.kind == "decision":
                marker = [reading.text[s:e] for s, e in c.spans[1:]]
                assert c.data["marker"] == marker[0]
                if c.data["unit_text"]:
                    assert c.data["unit_text"] in marker
                if c.data["deadline_text"]:
                    assert c.data["deadline_text"] in marker
            if c.kind == "person" and len(c.spans) > 1 and c.data["position_in_text"]:
                assert c.data["position"] in [reading.text[s:e] for s, e in c.spans[1:]]
    assert {
        "meeting",
        "person",
        "unit",
        "enterprise",
        "project",
        "target",
        "decision",
        "visit",
        "lesson",
        "peer",
    } <= seen


def test_offsets_are_into_the_normalised_text():
    reading = read("紅旗區(qū)區(qū)住建局要在6月底前完成審查。")
    (d,) = reading.of_kind("decision")
    assert reading.text.startswith("红旗区区住建局")
    assert reading.sentence_text(d.sentence) == "红旗区区住建局要在6月底前完成审查"
    assert d.data["unit_text"] == "区住建局"
    s, e = d.spans[-1]
    assert reading.text[s:e] == "6月底前"


def test_sentences_exclude_terminators():
    reading = read("第一句。第二句；第三句！\n\n第四句？")
    assert [reading.sentence_text(i) for i in range(len(reading.sentences))] == ["第一句", "第二句", "第三句", "第四句"]


# --- bounds --------------------------------------------------------------------------------------------------------


def test_too_long_text_is_refused_in_chinese():
    with pytest.raises(ValueError, match="过长"):
        read("字" * (MAX_CHARS + 1))


def test_longest_allowed_text_is_read():
    text = ("区住建局要在6月底前完成审查。" * (MAX_CHARS // 15))[:MAX_CHARS]
    reading = read(text)
    assert len(reading.of_kind("decision")) >= 3000


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_empty_text(text):
    reading = read_report(text, lexicon=EMPTY, today=ANCHOR)
    assert reading.candidates == []
    assert reading.sentences == []
    assert reading.original == text


def test_fill_missing_takes_default_kinds():
    rules = Rules.from_mapping({"directive": [("督促", "strong")]}, fill_missing=True)
    assert rules.texts("directive") == ["督促"]
    assert rules.texts("meeting_kind") == Rules.default().texts("meeting_kind")
    assert Rules.from_mapping({"directive": ["督促"]}).texts("meeting_kind") == []


def test_repetitive_long_text_stays_fast():
    # Patterns that were quadratic once (many mentions of one name, many titles, many units in many sentences).
    import time

    read("预热。")
    started = time.perf_counter()
    for unit in ("区住建局要到西街街道。", "区长王伟。", "刘宏锋主持。"):
        read(unit * (MAX_CHARS // len(unit)))
    # a quadratic pattern took minutes; 8 s leaves room for a loaded CI machine (about 1.5 s alone)
    assert time.perf_counter() - started < 8

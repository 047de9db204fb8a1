"""Sample reports and their gold annotations, and the lexicon the samples are read with (the Hongqi district's
units, leaders, enterprises, projects and peer regions, with made-up refs)."""

import json
from datetime import date
from pathlib import Path

from tuijin.supervision.reading import Lexicon, LexiconEntry

HERE = Path(__file__).parent

UNITS = [
    "西街街道",
    "东街街道",
    "渠东街道",
    "文化街街道",
    "向阳小区街道",
    "洪门镇",
    "小店镇",
    "红旗区先进制造业开发区",
    "区发展改革委",
    "区商务局",
    "区自然资源局",
    "区住建局",
    "区财政局",
    "区统计局",
    "区工信局",
]
ALIASES = {"红开区": "红旗区先进制造业开发区", "区发改委": "区发展改革委"}
PEOPLE = {"刘宏锋": ["区委书记"], "刘怀斌": ["区长"], "郭潇漪": ["常务副区长"]}
ENTERPRISES = ["胜华电缆", "北方仪表", "百合特种光学", "日升数控"]
PROJECTS = ["运通(新乡)智慧电商产业园"]
REGIONS = ["鹤壁", "长垣", "高新区"]


def sample_lexicon() -> Lexicon:
    entries = [LexiconEntry(name, "unit", ("unit", i)) for i, name in enumerate(UNITS, 1)]
    entries += [LexiconEntry(alias, "unit", ("unit", UNITS.index(name) + 1)) for alias, name in ALIASES.items()]
    entries += [LexiconEntry(name, "person", ("person", i)) for i, name in enumerate(PEOPLE, 1)]
    entries += [LexiconEntry(name, "enterprise", ("enterprise", i)) for i, name in enumerate(ENTERPRISES, 1)]
    entries += [LexiconEntry(name, "project", ("project", i)) for i, name in enumerate(PROJECTS, 1)]
    entries += [LexiconEntry(name, "region", ("region", i)) for i, name in enumerate(REGIONS, 1)]
    return Lexicon(entries=entries, people_positions=dict(PEOPLE))


def load_gold() -> list[dict]:
    samples = json.loads((HERE / "gold.json").read_text(encoding="utf-8"))["samples"]
    for sample in samples:
        sample["text"] = (HERE / sample["file"]).read_text(encoding="utf-8")
        sample["today"] = date.fromisoformat(sample["today"])
    return samples

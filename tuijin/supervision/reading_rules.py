"""The default rules of the report-reading engine (`reading.py`), as plain data: the seed the office edits later.

`DEFAULT_RULES` maps a rule kind to a list of entries. An entry is either a bare string or a pair (text, value);
the value's meaning depends on the kind (see the comment on each kind). `reading.Rules.from_mapping` accepts this
shape directly, so a database table of (kind, text, value) rows seeded from here can replace it.
"""

__all__ = ["DEFAULT_RULES", "RULE_KINDS"]

# Common surnames (single and compound), used only to accept a name the lexicon does not know when it follows a
# position title ("区长某某"). The single ones are written as one string here and become one entry per character.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝"
    "路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝郜"
)
_COMPOUND_SURNAMES = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯"]

DEFAULT_RULES: dict[str, list] = {
    # Directive markers. Value "strong": the marker alone makes a sentence a decision. "weak": only when the
    # sentence has no descriptive indicator (see "descriptive"). Markers match whole tokens only, so 主要/重要/需要
    # never count as 要.
    "directive": [
        ("要", "strong"),
        ("要求", "strong"),
        ("确保", "strong"),
        ("力争", "strong"),
        ("务必", "strong"),
        ("必须", "strong"),
        ("抓紧", "strong"),
        ("尽快", "strong"),
        ("限期", "strong"),
        ("加快", "weak"),
        ("推动", "weak"),
        ("推进", "weak"),
        ("着力", "weak"),
        ("全力", "weak"),
        ("切实", "weak"),
        ("狠抓", "weak"),
        ("压实", "weak"),
        ("抓好", "weak"),
        ("做好", "weak"),
        ("争取", "weak"),
        ("牵头", "weak"),
    ],
    # Phrases around a marker that make it not a directive (a noun use or a past-tense report). A marker inside any
    # of these is ignored.
    "stop": [
        "的要求",
        "按照要求",
        "要求的",
        "推动了",
        "推进了",
        "加快了",
        "确保了",
        "的推动下",
        "有力推动",
        "纪要",
        "要闻",
        "要素",
        "只要",
        "要是",
        "不需要",
    ],
    # Indicators of a descriptive (report-of-fact) sentence; they cancel weak markers, not strong ones.
    "descriptive": [
        "以来",
        "截至",
        "累计",
        "已",
        "已经",
        "了",
        "同比",
        "先后",
        "召开",
        "举行",
        "期间",
        "参观",
        "观摩",
        "听取",
        "汇报",
    ],
    # Verbs of a speaker introducing directives ("会议强调，…"); the lead-in is trimmed from the decision text.
    "speech_verb": ["强调", "指出", "要求", "提出", "表示", "明确", "部署", "希望"],
    # Target terms; value = the canonical target.
    "target": [
        ("开门红", "开门红"),
        ("双过半", "双过半"),
        ("时间过半、任务过半", "双过半"),
        ("二产占比", "二产占比"),
        ("第二产业占比", "二产占比"),
        ("满堂红", "满堂红"),
        ("全年目标", "全年目标"),
        ("固定资产投资", "固定资产投资"),
        ("规上工业增加值", "规上工业增加值"),
        ("开工率", "开工率"),
        ("投资完成率", "投资完成率"),
    ],
    # Position titles. Value "after_unit": a generic title that counts only right after a unit name, and the
    # position becomes unit + title ("区发展改革委主任").
    "position": [
        ("区委书记", None),
        ("区委副书记", None),
        ("区长", None),
        ("代区长", None),
        ("常务副区长", None),
        ("副区长", None),
        ("区委常委", None),
        ("区人大常委会主任", None),
        ("区人大常委会副主任", None),
        ("区政协主席", None),
        ("区政协副主席", None),
        ("区政府党组成员", None),
        ("镇党委书记", None),
        ("镇党委副书记", None),
        ("街道党工委书记", None),
        ("街道党工委副书记", None),
        ("党委书记", "after_unit"),
        ("主任", "after_unit"),
        ("副主任", "after_unit"),
        ("局长", "after_unit"),
        ("副局长", "after_unit"),
        ("书记", "after_unit"),
        ("党工委书记", "after_unit"),
        ("党工委副书记", "after_unit"),
        ("镇长", None),
        ("副镇长", None),
        ("负责人", "after_unit"),
        ("主要负责人", "after_unit"),
    ],
    # Meeting kind keywords; value = kind code.
    "meeting_kind": [
        ("项目建设大会", "construction"),
        ("项目建设推进大会", "construction"),
        ("项目建设动员大会", "construction"),
        ("调度会", "dispatch"),
        ("调度会议", "dispatch"),
        ("推进会", "dispatch"),
        ("常务会", "executive"),
        ("常务会议", "executive"),
        ("观摩评比", "observation"),
        ("观摩活动", "observation"),
        ("观摩会", "observation"),
        ("考察学习", "study_visit"),
        ("参观学习", "study_visit"),
        ("学习考察", "study_visit"),
        ("专题会", "special"),
        ("专题会议", "special"),
        ("专题研究", "special"),
    ],
    # Deadline words that are fixed phrases. Value: "MM-DD" (that day of the anchor year), "month_end" (end of the
    # anchor month) or "next_month_end". Dated phrases ("6月底前", "3月31日前", "10个工作日内") are patterns in code.
    "deadline": [
        ("年底", "12-31"),
        ("年内", "12-31"),
        ("年末", "12-31"),
        ("全年", "12-31"),
        ("上半年", "06-30"),
        ("下半年", "12-31"),
        ("一季度", "03-31"),
        ("第一季度", "03-31"),
        ("二季度", "06-30"),
        ("第二季度", "06-30"),
        ("三季度", "09-30"),
        ("第三季度", "09-30"),
        ("四季度", "12-31"),
        ("第四季度", "12-31"),
        ("本月底", "month_end"),
        ("月底", "month_end"),
        ("本月内", "month_end"),
        ("下月底", "next_month_end"),
        ("国庆节", "09-30"),
        ("国庆", "09-30"),
        ("春节", "01-20"),
    ],
    # Verbs introducing the places of a visit.
    "visit_verb": ["赴", "前往", "先后到", "先后来到", "来到", "到", "深入", "走进", "参观", "实地考察", "考察"],
    # Lesson markers. "A…B" means A followed later in the sentence by B.
    "lesson": ["学习…经验", "学习…做法", "值得借鉴", "借鉴", "对标", "差距", "启示", "好经验", "好做法", "取经"],
    # Region names (peer regions for 对标) and other place names known without the lexicon.
    "region": [
        "鹤壁",
        "长垣",
        "高新区",
        "经开区",
        "平原示范区",
        "卫辉",
        "辉县",
        "获嘉",
        "原阳",
        "延津",
        "封丘",
        "郑州",
        "许昌",
    ],
    "place": [],
    # The home region: never proposed as a region or peer.
    "home": ["红旗区", "新乡", "新乡市"],
    # Verbs marking the chair and the attendees of the meeting.
    "chair_verb": ["主持"],
    "attend_verb": ["出席", "参加", "参会", "陪同", "列席", "与会"],
    # Units the lexicon does not know are proposed as <prefix>…<suffix> within one clause ("区交通运输局",
    # "镇规划所"), unless listed in unit_stop.
    "unit_prefix": ["区", "镇"],
    "unit_suffix": ["局", "委", "办", "中心", "管委会", "所", "站"],
    "unit_stop": ["区委", "区政府", "镇党委", "镇政府", "区人大", "区政协", "镇党委书记", "区政府办"],
    "surname": [*_SURNAMES, *_COMPOUND_SURNAMES],
    # Words that may follow a person's name directly; they mark where a name the lexicon lacks ends.
    "name_follower": [
        "等",
        "同志",
        "主持",
        "出席",
        "参加",
        "参会",
        "讲话",
        "指出",
        "强调",
        "要求",
        "表示",
        "带领",
        "带队",
        "介绍",
        "汇报",
        "通报",
        "陪同",
        "一行",
        "分别",
        "说",
    ],
}

RULE_KINDS = tuple(DEFAULT_RULES)

"""相同投诉识别 — "the same complaint" detection for hot criterion (b) (SPEC R-M3-02 b, R-M3-04).

Pure Python, no database, no model download: the method runs offline on any machine.

Pipeline (ARCHITECTURE "Findings": character n-grams beat word segmentation on Chinese paraphrases;
every text method confuses the lift of building 3 with the lift of building 5, so location and
category act as *gates*, not as features):

1. :func:`normalize` — NFKC (全角→半角), lower case, Chinese numerals before a location suffix become
   digits (五号楼→5号楼), 号楼/幢/座/栋 → 栋, a small synonym table maps paraphrases onto one canonical
   word (走廊/过道→楼道, 照明/灯光→灯, 升降梯→电梯, 不亮/坏掉/失灵→坏 …), filler words and
   punctuation are dropped.
2. :func:`locations` — building numbers mentioned in the text (``5栋``), and :func:`topics` — the
   matter it concerns (lighting, lift, flooding, leak, noise …) from a keyword table.
3. Character 1–3-gram TF-IDF vectors (:class:`TfidfModel`) and their cosine.
4. Gates: different project → never; both name a building and the sets are disjoint → not the same;
   both have a category and it differs → not the same; both have recognised topics and they do not
   overlap → not the same.

:func:`same_complaint_score` returns a :class:`Match` with the score and the explanation;
``score >= threshold`` (default :data:`DEFAULT_THRESHOLD`, chosen on the labelled set
``data/complaint_pairs.csv``; see docs/similarity.md) means "the same complaint".
"""
from __future__ import annotations

import csv
import math
import operator
import re
import sys
import unicodedata
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

DATASET = Path(__file__).parent / "data" / "complaint_pairs.csv"

DEFAULT_THRESHOLD = 0.35
TEXT_WEIGHT = 0.5
ASPECT_CONFLICT_FACTOR = 0.4
"""Weight of the n-gram cosine when both texts have a recognised matter (the rest is topic Jaccard)."""
"""Cosine threshold chosen on the labelled pairs (docs/similarity.md)."""

# ------------------------------------------------------------------ normalisation

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_NUM = "零〇一二两三四五六七八九十百"
_LOCATION_SUFFIX = "号楼|栋|幢|座|单元|楼|层|号|期|区"
_CN_NUM_BEFORE_SUFFIX = re.compile(rf"([{_CN_NUM}]+)(?=({_LOCATION_SUFFIX}))")


def cn_to_int(text: str) -> int | None:
    """'五' → 5, '十二' → 12, '二十' → 20, '一百零五' → 105; None when it is not a numeral."""
    if not text or any(ch not in _CN_NUM for ch in text):
        return None
    total, section = 0, 0
    for ch in text:
        if ch == "百":
            total += (section or 1) * 100
            section = 0
        elif ch == "十":
            total += (section or 1) * 10
            section = 0
        else:
            section = _CN_DIGITS[ch]
    return total + section


def _numerals(match: re.Match[str]) -> str:
    value = cn_to_int(match.group(1))
    return str(value) if value is not None else match.group(1)


# Longest variants first so that "楼道灯" is not split by a shorter rule. Canonical words are chosen
# so that paraphrases share character n-grams after the replacement.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "楼道": ("走廊", "过道", "楼梯间", "楼梯口", "梯间", "走道", "楼层过道"),
    "灯": ("照明灯", "照明", "灯光", "电灯", "灯泡", "灯管", "声控灯", "感应灯", "吸顶灯"),
    "电梯": ("升降梯", "直梯", "客梯", "货梯", "轿厢"),
    "坏": ("不亮", "坏掉", "坏了", "失灵", "故障", "损坏", "没反应", "不工作", "黑着", "黑漆漆", "一片黑",
           "黑乎乎", "不能用", "用不了", "停运", "停了", "罢工", "出毛病", "毛病"),
    "困人": ("关人", "被困", "卡住人", "困住"),
    "积水": ("水淹", "淹水", "水漫", "泡水", "水坑", "排水不畅", "排不出去", "下水慢"),
    "漏水": ("渗水", "滴水", "渗漏", "漏雨", "往下滴", "水渍", "返潮"),
    "车库": ("停车场", "地库", "地下车库", "地下停车场", "停车库"),
    "入口": ("进口", "出入口", "坡道口", "门口"),
    "下雨": ("雨天", "暴雨", "大雨", "一下雨"),
    "噪音": ("噪声", "吵闹", "太吵", "很吵", "扰民", "吵得"),
    "垃圾": ("垃圾桶", "垃圾箱", "垃圾房", "垃圾站", "废弃物"),
    "臭": ("异味", "臭味", "气味难闻", "味道很大", "发臭", "难闻"),
    "保安": ("门卫", "安保", "门岗", "值班员"),
    "宠物": ("狗", "犬", "猫"),
    "粪便": ("狗屎", "便便", "大便"),
    "管理费": ("物业费", "物管费", "物业管理费"),
    "停水": ("没水", "断水", "不来水"),
    "停电": ("没电", "断电", "跳闸"),
    "暖气": ("供暖", "暖气片", "地暖"),
    "燃气": ("煤气", "天然气", "燃气管道"),
    "墙": ("墙面", "墙体", "墙皮", "墙砖", "瓷砖", "外立面"),
    "地下室": ("负一层", "负1层", "地下一层"),
    "电动车": ("电瓶车", "电单车"),
    "信箱": ("信报箱", "邮箱"),
    "井盖": ("窨井盖", "下水井盖"),
    "游乐": ("游乐场", "游乐区", "儿童乐园", "游乐设施"),
    "扔东西": ("高空抛物", "往下扔", "抛物"),
    "油烟": ("排油烟",),
    "打扫": ("清扫", "拖地", "保洁"),
    "水压": ("水压低", "水流小", "水很小"),
    "门禁": ("门禁卡", "刷卡门", "单元门禁", "大门禁"),
    "单元门": ("楼栋门", "防盗门"),
    "绿化": ("草坪", "花草", "树木", "绿地"),
    "修剪": ("剪枝", "修枝", "打理"),
    "健身器材": ("健身设施", "运动器材"),
    "装修": ("装潢", "施工"),
    "监控": ("摄像头", "监控探头"),
    "蚊虫": ("蚊子", "苍蝇", "蟑螂", "老鼠"),
    "路灯": ("园区路灯", "小区路灯", "庭院灯", "草坪灯"),
    "几天": ("好几天", "多天", "好多天", "一周", "一个星期", "很久", "好久", "多日"),
}
_SYN_PAIRS = sorted(((v, k) for k, vs in SYNONYMS.items() for v in vs), key=lambda p: -len(p[0]))
_SYN_RE = re.compile("|".join(re.escape(v) for v, _ in _SYN_PAIRS))
_SYN_MAP = dict(_SYN_PAIRS)

# Words that say nothing about the matter: politeness, intake phrasing, intensifiers.
FILLERS: tuple[str, ...] = (
    "业主反映", "业主投诉", "住户反映", "住户投诉", "业主来电", "来电反映", "反映", "投诉", "请尽快处理",
    "请尽快", "尽快处理", "尽快", "麻烦", "处理一下", "希望", "物业", "一直", "总是", "经常", "老是",
    "已经", "还是", "没有人管", "没人管", "没人处理", "无人处理", "怎么回事", "非常", "特别", "严重",
    "小区", "园区", "我们", "我家", "本人", "请问", "谢谢", "了", "的", "得", "呢", "吧", "啊", "呀", "吗",
    "很", "都", "也", "又", "就", "还", "在", "有", "是", "这", "那", "个",
)
_FILLER_RE = re.compile("|".join(re.escape(w) for w in sorted(FILLERS, key=len, reverse=True)))
_DROP_RE = re.compile(r"[\s\W_]+", re.UNICODE)
_BUILDING_RE = re.compile(r"(\d+)(?:号楼|栋|幢|座|号)")
_BUILDING_CANON_RE = re.compile(r"(\d+)(?:号楼|幢|座)")


def normalize(text: str) -> str:
    """Canonical form of a complaint text for comparison (see the module docstring)."""
    s = unicodedata.normalize("NFKC", text or "").lower()
    s = _CN_NUM_BEFORE_SUFFIX.sub(_numerals, s)
    s = _BUILDING_CANON_RE.sub(r"\1栋", s)
    s = re.sub(r"(\d+)号(?=\d*单元|楼道|电梯|门|$)", r"\1栋", s)
    s = _SYN_RE.sub(lambda m: _SYN_MAP[m.group(0)], s)
    s = _FILLER_RE.sub("", s)
    return _DROP_RE.sub("", s)


def apply_synonyms(text: str, synonyms: Mapping[str, str] | None) -> str:
    """Rewrite a company's own wording (``{variant: canonical}``, longest variant first) before
    :func:`normalize`; the built-in table then applies to the result. Empty or None: unchanged."""
    if not synonyms or not text:
        return text or ""
    pattern = re.compile("|".join(re.escape(v) for v in sorted(synonyms, key=len, reverse=True) if v))
    return pattern.sub(lambda m: synonyms[m.group(0)], unicodedata.normalize("NFKC", text))


def locations(text: str) -> frozenset[str]:
    """Buildings named in the text, canonical ("5栋"); empty when none is named."""
    s = unicodedata.normalize("NFKC", text or "")
    s = _CN_NUM_BEFORE_SUFFIX.sub(_numerals, s)
    return frozenset(f"{n}栋" for n in _BUILDING_RE.findall(s))


# The matter (事项) a complaint is about. Two complaints whose recognised matters do not overlap are
# not "the same complaint" however similar their wording ("5栋电梯坏了" vs "5栋楼道灯坏了").
TOPICS: dict[str, tuple[str, ...]] = {
    "lighting": ("灯",),
    "lift": ("电梯",),
    "flooding": ("积水",),
    "leak": ("漏水", "水管爆", "爆管", "潮湿", "霉"),
    "water_supply": ("停水", "水压", "水质", "黄水", "自来水", "水箱", "二次供水", "用水"),
    "power": ("停电", "电压"),
    "noise": ("噪音", "广场舞", "施工声", "声音", "异响", "怪声", "电钻"),
    "garbage": ("垃圾", "清运"),
    "cleaning": ("打扫", "卫生", "不干净"),
    "clutter": ("堆放", "堆满", "杂物", "纸箱"),
    "smell": ("臭",),
    "parking": ("车位", "占道", "乱停", "停车", "共享单车", "僵尸车"),
    "security": ("保安", "陌生人", "外来人员", "巡逻"),
    "theft": ("被盗", "盗窃", "偷", "撬"),
    "cctv": ("监控",),
    "access": ("门禁", "单元门", "道闸"),
    "pets": ("宠物", "粪便", "遛"),
    "fees": ("管理费", "收费", "水电费", "水费", "电费", "账单", "公摊", "涨价"),
    "greening": ("绿化", "修剪", "枯死"),
    "fitness": ("健身器材", "健身房", "跑步机"),
    "playground": ("游乐", "滑梯"),
    "renovation": ("装修",),
    "pests": ("蚊虫", "消杀"),
    "heating": ("暖气", "温度不够", "不热"),
    "gas": ("燃气", "漏气"),
    "wall": ("墙", "脱落", "裂缝", "开裂", "掉落"),
    "ebike": ("电动车", "充电"),
    "mailbox": ("信箱",),
    "manhole": ("井盖",),
    "fumes": ("油烟",),
    "smoke": ("烟雾", "冒烟", "烧纸", "抽烟", "烟味"),
    "throwing": ("扔东西",),
    "hotline": ("电话",),
    "repair_service": ("报修", "维修工", "上门"),
    "fund": ("维修基金", "维修资金"),
    "invoice": ("发票",),
    "signal": ("信号",),
    "pool": ("泳池", "游泳池"),
    "fountain": ("喷泉", "景观池", "水池"),
    "intercom": ("对讲",),
    "street_light": ("路灯",),
    "attitude": ("态度", "服务差", "骂", "不理睬"),
}

# Aspects: what is wrong with the object. They refine a match of objects, never gate one.
ASPECTS: dict[str, tuple[str, ...]] = {
    "broken": ("坏", "破损", "碎", "松动", "不稳"),
    "notice": ("通知",),
    "blocked": ("堵", "占用", "占着", "挡"),
    "lights_on": ("白天", "亮着"),
    "expired": ("过期", "年检"),
    "trapped": ("困人",),
    "smelly": ("臭",),
    "noisy": ("噪音", "声音", "异响", "怪声"),
    "dirty": ("不干净", "脏"),
}


def topics(normalized: str) -> frozenset[str]:
    """Matters recognised in an already :func:`normalize`-d text."""
    found = {t for t, keys in TOPICS.items() if any(k in normalized for k in keys)}
    if "street_light" in found:
        found.discard("lighting")  # 路灯 contains 灯 but is its own matter (road lighting, not corridors)
    return frozenset(found)


def aspects(normalized: str) -> frozenset[str]:
    """What is wrong (broken, smelly, noisy …) in an already :func:`normalize`-d text."""
    return frozenset(t for t, keys in ASPECTS.items() if any(k in normalized for k in keys))


def ngrams(normalized: str, n_min: int = 1, n_max: int = 3) -> Counter[str]:
    grams: Counter[str] = Counter()
    for n in range(n_min, n_max + 1):
        for i in range(len(normalized) - n + 1):
            grams[normalized[i:i + n]] += 1
    return grams


# ------------------------------------------------------------------ TF-IDF


@dataclass
class TfidfModel:
    """Character n-gram TF-IDF with smoothed IDF, fitted on any corpus of complaint texts.

    The IDF is unsupervised (labels are never used); in production it is fitted on the project's
    recent complaints plus :data:`BACKGROUND`, so rare, meaningful characters weigh more than
    "楼"/"坏" that every complaint shares.
    """

    n_docs: int = 0
    df: Counter[str] = field(default_factory=Counter)

    @classmethod
    def fit(cls, texts: Iterable[str]) -> TfidfModel:
        model = cls()
        for t in texts:
            model.n_docs += 1
            model.df.update(set(ngrams(normalize(t))))
        return model

    def idf(self, gram: str) -> float:
        return math.log((1 + self.n_docs) / (1 + self.df.get(gram, 0))) + 1.0

    def vector(self, text: str) -> dict[str, float]:
        grams = ngrams(normalize(text))
        vec = {g: (1 + math.log(c)) * self.idf(g) for g, c in grams.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {g: v / norm for g, v in vec.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(g, 0.0) for g, v in a.items())


# A small built-in background so IDF is meaningful even for a project with few complaints.
BACKGROUND: tuple[str, ...] = (
    "楼道灯不亮", "电梯故障困人", "车库积水", "楼上漏水", "装修噪音扰民", "垃圾清运不及时", "宠物粪便",
    "物业费收费不合理", "保安态度差", "门禁卡失灵", "路灯不亮", "绿化修剪", "停水通知不及时",
    "外墙墙皮脱落", "健身器材损坏", "消杀不到位", "乱停车占道", "监控坏了", "楼道堆放杂物", "水压低",
)


@dataclass(frozen=True)
class Complaint:
    """What the matcher needs of a complaint (plain data: the ticket adapter fills it)."""

    text: str
    project_id: int | None = None
    category: str | None = None
    location: str | None = None  # a building label from the ticket when staff chose one ("5栋")


@dataclass(frozen=True)
class Match:
    score: float
    same: bool
    gate: str  # "" when no gate fired; otherwise the reason the pair was ruled out
    cosine: float


def _locs(c: Complaint) -> frozenset[str]:
    found = locations(c.text)
    if c.location:
        found = found | locations(c.location)
    return found


def same_complaint_score(a: Complaint, b: Complaint, *, model: TfidfModel,
                         threshold: float = DEFAULT_THRESHOLD) -> Match:
    """Score two complaints; gates rule out pairs the text alone would confuse (R-M3-04)."""
    cos = cosine(model.vector(a.text), model.vector(b.text))
    gate = ""
    if a.project_id is not None and b.project_id is not None and a.project_id != b.project_id:
        gate = "project"
    elif a.category and b.category and a.category != b.category:
        gate = "category"
    else:
        la, lb = _locs(a), _locs(b)
        ta, tb = topics(normalize(a.text)), topics(normalize(b.text))
        if la and lb and not (la & lb):
            gate = "location"
        elif ta and tb and not (ta & tb):
            gate = "topic"
    if gate:
        score = 0.0
    else:
        na, nb = normalize(a.text), normalize(b.text)
        ta, tb = topics(na), topics(nb)
        if ta and tb:  # both matters recognised: agreement of the matter counts as much as the wording
            agreement = len(ta & tb) / len(ta | tb)
            xa, xb = aspects(na), aspects(nb)
            if xa and xb and not (xa & xb):
                agreement *= ASPECT_CONFLICT_FACTOR  # same object, different fault ("电梯困人"/"电梯年检过期")
            score = TEXT_WEIGHT * cos + (1 - TEXT_WEIGHT) * agreement
        else:
            score = cos
    return Match(score=round(score, 4), same=score >= threshold, gate=gate, cosine=round(cos, 4))


# ------------------------------------------------------------------ evaluation


@dataclass(frozen=True)
class Pair:
    text_a: str
    text_b: str
    same: bool
    notes: str


def load_pairs(path: Path = DATASET) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [Pair(r["text_a"], r["text_b"], r["same"].strip() == "1", r.get("notes", "")) for r in csv.DictReader(fh)]


@dataclass(frozen=True)
class Evaluation:
    threshold: float
    n: int
    positives: int
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_pairs(pairs: Sequence[Pair], *, model: TfidfModel | None = None) -> list[float]:
    model = model or TfidfModel.fit([*BACKGROUND, *(p.text_a for p in pairs), *(p.text_b for p in pairs)])
    return [same_complaint_score(Complaint(p.text_a), Complaint(p.text_b), model=model).score for p in pairs]


def evaluate(pairs: Sequence[Pair], scores: Sequence[float], threshold: float) -> Evaluation:
    tp = fp = fn = tn = 0
    for p, s in zip(pairs, scores, strict=True):
        predicted = s >= threshold
        if predicted and p.same:
            tp += 1
        elif predicted:
            fp += 1
        elif p.same:
            fn += 1
        else:
            tn += 1
    return Evaluation(threshold, len(pairs), sum(p.same for p in pairs), tp, fp, fn, tn)


def roc_auc(pairs: Sequence[Pair], scores: Sequence[float]) -> float:
    """Probability that a random same pair scores above a random different pair (ties count ½)."""
    pos = [s for p, s in zip(pairs, scores, strict=True) if p.same]
    neg = [s for p, s in zip(pairs, scores, strict=True) if not p.same]
    if not pos or not neg:
        return 1.0
    wins = sum((1.0 if sp > sn else 0.5 if sp == sn else 0.0) for sp in pos for sn in neg)
    return wins / (len(pos) * len(neg))


def best_threshold(pairs: Sequence[Pair], scores: Sequence[float]) -> Evaluation:
    """The threshold with the best F1 (ties → higher precision) among the observed scores."""
    candidates = sorted({round(s, 2) for s in scores if s > 0} | {DEFAULT_THRESHOLD})
    results = [evaluate(pairs, scores, t) for t in candidates]
    return max(results, key=lambda e: (round(e.f1, 4), e.precision))


# ------------------------------------------------------------------ stored signatures (issue 15)
#
# Intake must not refit a model over the whole window for every complaint. Each complaint's
# signature — its n-gram vector weighted with the project's IDF *at the time it was recorded*, its
# matters, faults and buildings — is computed once and stored (``ComplaintSignature``). The IDF comes
# from a per-project document-frequency table that grows by one document per complaint
# (``SimilarityGramFrequency``) plus :data:`BACKGROUND`; a comparison is then one sparse dot product
# against each stored vector that survives the gates, which the database applies first.

BACKGROUND_DF: Counter[str] = Counter()
for _text in BACKGROUND:
    BACKGROUND_DF.update(set(ngrams(normalize(_text))))


def idf_from(df: Mapping[str, int], n_docs: int) -> Callable[[str], float]:
    """Smoothed IDF (as :meth:`TfidfModel.idf`) over the project's complaints plus the background."""
    total = n_docs + len(BACKGROUND)

    def idf(gram: str) -> float:
        return math.log((1 + total) / (1 + df.get(gram, 0) + BACKGROUND_DF.get(gram, 0))) + 1.0
    return idf


def weighted(grams: Mapping[str, int], idf: Callable[[str], float]) -> dict[str, float]:
    """Unit-length TF-IDF vector of ``grams`` (sublinear TF, as :meth:`TfidfModel.vector`)."""
    vec = {g: (1 + math.log(c)) * idf(g) for g, c in grams.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {g: round(v / norm, 5) for g, v in vec.items()}


@dataclass(frozen=True)
class Signature:
    """What a comparison needs of one complaint, computed once (see above)."""

    vector: Mapping[Any, float]  # gram → weight, or gram id → weight (:func:`hashed`, as stored)
    topics: frozenset[str]
    aspects: frozenset[str]
    locations: frozenset[str]


def text_features(text: str) -> tuple[str, Counter[str], frozenset[str], frozenset[str], frozenset[str]]:
    """Normalised text, its n-gram counts, matters, faults and buildings (``text`` already has the
    company's synonyms applied)."""
    norm = normalize(text)
    return norm, ngrams(norm), topics(norm), aspects(norm), locations(text)


def signature_of(text: str, idf: Callable[[str], float]) -> Signature:
    _norm, grams, tps, asp, locs = text_features(text)
    return Signature(weighted(grams, idf), tps, asp, locs)


def score_signatures(a: Signature, b: Signature, *, category_a: str | None, category_b: str | None,
                     threshold: float = DEFAULT_THRESHOLD) -> Match:
    """:func:`same_complaint_score` for two stored signatures of one project (same gates, same score)."""
    va, vb = a.vector, b.vector
    if len(va) > len(vb):
        va, vb = vb, va
    cos = sum(v * vb.get(g, 0.0) for g, v in va.items())
    return _gated_score(a, cos, b.topics, b.aspects, b.locations, category_a=category_a, category_b=category_b,
                        threshold=threshold)


def gate_and_agreement(a: Signature, topics_b: frozenset[str], aspects_b: frozenset[str],
                       locations_b: frozenset[str], *, category_a: str | None,
                       category_b: str | None) -> tuple[str, float | None]:
    """The part of a pair's score that does not depend on the text: the gate that rules the pair out
    ("" when none) and the agreement of the matters (None when one side has no recognised matter).
    It depends only on the two complaints' category, buildings, matters and faults, so the
    same-complaint check computes it once per distinct combination of the window, not per candidate."""
    if category_a and category_b and category_a != category_b:
        return "category", None
    if a.locations and locations_b and not (a.locations & locations_b):
        return "location", None
    if a.topics and topics_b and not (a.topics & topics_b):
        return "topic", None
    if a.topics and topics_b:
        agreement = len(a.topics & topics_b) / len(a.topics | topics_b)
        if a.aspects and aspects_b and not (a.aspects & aspects_b):
            agreement *= ASPECT_CONFLICT_FACTOR
        return "", agreement
    return "", None


def gated_score(cos: float, gate: str, agreement: float | None) -> float:
    """The (unrounded) score of a pair from its cosine and :func:`gate_and_agreement`."""
    if gate:
        return 0.0
    if agreement is not None:
        return TEXT_WEIGHT * cos + (1 - TEXT_WEIGHT) * agreement
    return cos


def _gated_score(a: Signature, cos: float, topics_b: frozenset[str], aspects_b: frozenset[str],
                 locations_b: frozenset[str], *, category_a: str | None, category_b: str | None,
                 threshold: float) -> Match:
    gate, agreement = gate_and_agreement(a, topics_b, aspects_b, locations_b, category_a=category_a,
                                         category_b=category_b)
    score = gated_score(cos, gate, agreement)
    return Match(score=round(score, 4), same=score >= threshold, gate=gate, cosine=round(cos, 4))


# ------------------------------------------------------------------ compact vectors and the gram index
#
# A stored vector is a byte string: the n-grams' 32-bit ids (:func:`gram_id`) then their float32
# weights, sorted by id — about 8 bytes a gram instead of ~20 of JSON, decoded without a parser.
# The gram index (``ComplaintGram``: project, gram id, complaint) answers "which complaints of the
# window share one of these grams"; :func:`index_grams` chooses which of a new complaint's grams to
# look up so that no complaint whose cosine can reach the threshold is missed (below).

SIGNATURE_VERSION = 2
"""Stored signatures of an older layout (version 0: JSON vectors, no gram index) are not current."""

_TOPIC_PREFIX = "\x00topic:"  # never a gram: normalize() drops control characters


def gram_id(gram: str) -> int:
    """A stable signed 32-bit id of an n-gram (CRC-32 of its UTF-8: distinct for every 1–4-byte
    input, so two 1-grams never share an id). Collisions of longer grams only add a candidate to the
    look-up or a vanishing term to a dot product."""
    h = zlib.crc32(gram.encode())
    return h - (1 << 32) if h >= 1 << 31 else h


def topic_id(topic: str) -> int:
    """The gram-index key of a recognised matter: complaints sharing a matter are found through it."""
    return gram_id(_TOPIC_PREFIX + topic)


def hashed(vector: Mapping[str, float]) -> dict[int, float]:
    """A text-keyed vector with gram ids as keys (the form stored and compared)."""
    out: dict[int, float] = {}
    for g, w in vector.items():
        k = gram_id(g)
        out[k] = out.get(k, 0.0) + w
    return out


def pack(vector: Mapping[int, float]) -> bytes:
    """``{gram id: weight}`` → bytes (ids as int32, then weights as float32, little-endian, by id)."""
    ids = sorted(vector)
    return (array("i", ids).tobytes() if sys.byteorder == "little" else _swapped("i", ids)) + (
        array("f", [vector[i] for i in ids]).tobytes() if sys.byteorder == "little"
        else _swapped("f", [vector[i] for i in ids]))


def _swapped(code: str, values: list[Any]) -> bytes:
    a = array(code, values)
    a.byteswap()
    return a.tobytes()


def unpack(blob: bytes | memoryview | None) -> dict[int, float]:
    """The inverse of :func:`pack`."""
    if not blob:
        return {}
    data = bytes(blob)
    n = len(data) // 8
    ids, weights = array("i"), array("f")
    ids.frombytes(data[:4 * n])
    weights.frombytes(data[4 * n:8 * n])
    if sys.byteorder != "little":
        ids.byteswap()
        weights.byteswap()
    return dict(zip(ids, weights, strict=True))


def packed_dot(mine: Mapping[int, float], blob: bytes | memoryview) -> float:
    """Cosine of a unit vector ``mine`` with a stored (packed, unit) vector, without building a dict:
    the ids are looked up and multiplied in C (``map``), no Python-level work per gram (issue 15)."""
    view = memoryview(blob)
    n = len(view) // 8
    ids, weights = array("i"), array("f")
    ids.frombytes(view[:4 * n])
    weights.frombytes(view[4 * n:8 * n])
    if sys.byteorder != "little":
        ids.byteswap()
        weights.byteswap()
    return sum(map(operator.mul, weights, map(mine.get, ids, repeat(0.0, n))))


INDEX_MARGIN = 1e-3
"""Safety margin of :func:`index_grams` for the float32 rounding of stored weights."""


def index_grams(vector: Mapping[int, float], threshold: float) -> list[int]:
    """The grams of a unit ``vector`` to look up in the gram index so that every stored unit vector
    with cosine ≥ ``threshold`` shares at least one of them (prefix filtering, exact).

    Cauchy–Schwarz: if the grams two unit vectors share all lie in a set D of this vector's grams,
    their cosine is at most √(Σ_D w²). So the lightest grams — the common ones ("楼", "坏", whose IDF is
    low) — are left out while their squared weights stay below ``(threshold − margin)²``; a complaint
    sharing only those cannot reach the threshold. The rest are returned."""
    budget = (threshold - INDEX_MARGIN) ** 2 if threshold > INDEX_MARGIN else 0.0
    dropped = 0.0
    keep: list[int] = []
    for gid, w in sorted(vector.items(), key=lambda kv: (abs(kv[1]), kv[0])):
        if dropped + w * w < budget:
            dropped += w * w
        else:
            keep.append(gid)
    return keep


def score_packed(a: Signature, vector_a: Mapping[int, float], packed_b: bytes | memoryview,
                 topics_b: frozenset[str], aspects_b: frozenset[str], locations_b: frozenset[str], *,
                 category_a: str | None, category_b: str | None, threshold: float = DEFAULT_THRESHOLD) -> Match:
    """:func:`score_signatures` against a stored complaint whose vector is still packed."""
    return _gated_score(a, packed_dot(vector_a, packed_b), topics_b, aspects_b, locations_b,
                        category_a=category_a, category_b=category_b, threshold=threshold)

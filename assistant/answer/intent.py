"""What kind of answer a question asks for: a definition, steps, a list, a reason,
a figure, a comparison, or something about the Neteland case."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from assistant.text import analyze


class Kind(str, Enum):
    DEFINITION = "definitie"
    STEPS = "stappen"
    LIST = "opsomming"
    WHY = "waarom"
    FIGURE = "hoeveel"
    COMPARE = "verschil"
    OPEN = "open"


_LIST_NOUNS = (
    r"vormen|soorten|types|typen|stappen|valkuilen|voorwaarden|fasen|fases|factoren|succesfactoren|"
    r"faalfactoren|rollen|indicatoren|elementen|onderdelen|principes|kenmerken|taken|risico'?s|"
    r"criteria|pijlers|doelen|doelstellingen|krachtlijnen|punten|tips|bouwstenen|vragen|instrumenten|"
    r"mogelijkheden|opties|bronnen|partners|signalen|lessen|aandachtspunten|eisen|"
    r"forms|kinds|types|steps|pitfalls|conditions|phases|factors|roles|indicators|elements|principles|"
    r"tasks|risks|criteria|pillars|goals|tips|options|lessons|signs|modes"
)
PATTERNS: list[tuple[Kind, re.Pattern]] = [
    (Kind.COMPARE, re.compile(r"\b(verschil(?:t|len)?|versus|vs\.?|vergelijk\w*|tegenover|difference|differ\w*|"
                              r"compare\w*)\b", re.I)),
    (Kind.FIGURE, re.compile(r"\b(hoeveel|hoe ?veel|welk bedrag|hoe groot|hoe lang|hoe vaak|wanneer|in welk jaar|"
                             r"how (?:many|much|long|often)|when|what year)\b", re.I)),
    (Kind.LIST, re.compile(rf"\b(welke|wat zijn de|noem|which|what are the)\b[^?]*\b({_LIST_NOUNS})\b|"
                           rf"\b(lijst(?:je)?|opsomming|checklist|list of)\b|"
                           rf"^\s*({_LIST_NOUNS})\b", re.I)),  # a search: "signalen dat het netwerk …"
    (Kind.WHY, re.compile(r"\b(waarom|waartoe|wat heeft\b.*\beraan|wat levert\b.*\bop|why|what for)\b", re.I)),
    (Kind.DEFINITION, re.compile(r"^\s*(wat (?:is|zijn|betekent|betekenen|bedoel\w* \w+ met|houdt)|"
                                 r"wat wordt (?:er )?bedoeld|definitie|what (?:is|are|does)\b(?!.*\b(?:best|"
                                 r"steps|role)\b))", re.I)),
    (Kind.STEPS, re.compile(r"\b(hoe|stappen|stap|aanpak|aanpakken|beginnen|begin|starten|start|opzetten|"
                            r"opstarten|organiseren|wat moet ik doen|waar begin|how|steps|what should|"
                            r"where do)\b", re.I)),
]
CASE = re.compile(r"\b(net+e ?land|neteland|vorselaar|herentals|grobbendonk|herenthout|olen|janssens)\b", re.I)


@dataclass(frozen=True)
class Intent:
    """The answer shape a question asks for."""

    kind: Kind
    about_case: bool
    steps_too: bool = False  # "waarom …, en hoe bouw je het op?": the how comes with the why

    @property
    def wants_list(self) -> bool:
        return self.kind in (Kind.STEPS, Kind.LIST) or self.steps_too


def classify(question: str) -> Intent:
    """The first matching kind, in order of specificity; OPEN when none matches."""
    kind = next((k for k, pattern in PATTERNS if pattern.search(question)), Kind.OPEN)
    steps_too = kind is Kind.WHY and bool(_AND_HOW.search(question))
    return Intent(kind, bool(CASE.search(question)), steps_too)


_AND_HOW = re.compile(r"\b(?:en|and)\s+(?:hoe|how)\b", re.I)


def comparison_sides(question: str) -> tuple[str, str] | None:
    """The two things a comparison question names ("verschil tussen X en Y"), if any."""
    patterns = [
        # "die kerngroep en de stuurgroep": the article or demonstrative is no part of the side
        r"verschil\w*\s+(?:is er\s+)?tussen\s+(?:(?:een|de|het|die|deze|dat|dit)\s+)?(.+?)\s+en\s+"
        r"(?:(?:een|de|het|die|deze|dat|dit)\s+)?(.+?)[?.!]*$",
        r"difference\s+between\s+(?:(?:a|an|the|this|that|these|those)\s+)?(.+?)\s+and\s+"
        r"(?:(?:a|an|the|this|that|these|those)\s+)?(.+?)[?.!]*$",
        r"^(?:wat is het verschil\w*[:,]?\s*)?(.+?)\s+(?:versus|vs\.?|tegenover)\s+(.+?)[,?]",
    ]
    for pattern in patterns:
        m = re.search(pattern, question.strip(), re.I)
        if m and all(len(side.split()) <= 6 for side in m.groups()) and not _QUESTION_WORD.match(m.group(1)):
            return m.group(1).strip(" ,"), m.group(2).strip(" ,")
    return None


_DEFINED = re.compile(
    r"^\s*(?:wat (?:is|zijn|betekent|betekenen|houdt)|wat bedoel\w* (?:\w+ )?met|wat wordt (?:er )?bedoeld met|"
    r"what (?:is|are|does)|define)\s+(?:(?:een|de|het|a|an|the|eigenlijk|juist|precies)\s+)*(.+?)"
    r"(?:\s+(?:eigenlijk|juist|precies|in|mean|inhouden|in dit verhaal))?\s*[?.!]*$", re.I)


def defined_term(question: str) -> str | None:
    """The term a definition question asks about ("Wat is een projectvereniging?")."""
    m = _DEFINED.match(question.strip())
    if not m:
        return None
    term = _SECOND_QUESTION.sub("", m.group(1))  # "een STEM-academie en wie erkent die?": the term comes first
    term = re.sub(r"\s+in dit verhaal$", "", term).strip(" ,'\"‘’“”")
    term = " ".join(w for w in term.split() if w.lower() not in {"eigenlijk", "juist", "precies", "nu"})
    term = re.sub(r"^(?:een|de|het|a|an|the)\s+", "", term, flags=re.I)
    return term if 0 < len(term.split()) <= 5 else None


_SECOND_QUESTION = re.compile(r",?\s+(?:en|of|and|or)\s+(?:wie|wat|hoe|waar|wanneer|welke?|waarom|hoeveel|who|what|"
                              r"how|where|when|which|why)\b.*$", re.I)


_PART_SPLIT = re.compile(r"\?\s+|[;]\s+|,\s+(?=(?:en|of|and|or)\s+(?:hoe|wat|wie|waar|wanneer|welke|waarom|hoeveel|"
                         r"moet|kan|kunnen|how|what|who|where|when|which|why)\b)", re.I)


_QUESTION_WORD = re.compile(
    r"^(?:hoe|wat|wie|waar|wanneer|welke?|waarom|hoeveel|moet|moeten|kan|kunnen|mag|mogen|is|zijn|heeft|hebben|"
    r"zou|zouden|bestaat|how|what|who|where|when|which|why|is|are|can|should|do|does)\b", re.I)


def question_parts(question: str) -> list[str]:
    """The separate questions in a multi-part question ("Welke rol spelen bedrijven, en
    hoe vermijd je reclame?"); a single question gives one part."""
    parts = [p.strip(" ,?") for p in _PART_SPLIT.split(question.strip()) if p and p.strip(" ,?")]
    parts = [re.sub(r"^(?:en|of|and|or)\s+", "", p, flags=re.I) for p in parts]
    asked = [p + "?" for p in parts if len(p.split()) >= 3 and _QUESTION_WORD.match(p)]
    return asked if len(asked) > 1 else [question]  # a statement is context, not a second question


_NUMBERS = {"twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9, "tien": 10,
            "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_COUNTED = re.compile(rf"\b({'|'.join(_NUMBERS)})\s+(?:[\w-]+\s+)?([\w-]+)", re.I)
_ASKED_COUNT = re.compile(r"\b(?:de|the|welke|which|noem|name)\s+$", re.I)  # not "die vijf gemeenten", "na twee jaar"


def counted(text: str, vocabulary: frozenset[str], asked: bool = False) -> set[tuple[int, str]]:
    """The counted things a text names, as (count, index term) in Dutch or English ("drie
    componenten", "the three components" both give (3, "component")): a question asking
    for three things, and the sentence that announces them. With ``asked``, only the
    counts a question asks for ("welke vijf voorwaarden", "the three components")."""
    return {(_NUMBERS[m.group(1).lower()], term) for m in _COUNTED.finditer(text)
            if not asked or _ASKED_COUNT.search(text[: m.start()])
            for term in analyze(m.group(0)[len(m.group(1)):], vocabulary)}

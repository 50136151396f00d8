"""Query understanding: typo repair, English-to-Dutch expansion and follow-up resolution."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.text import STOPWORDS, Speller, analyze, term_groups, words

# English words users type, mapped to the Dutch words the draaiboek uses. A small,
# general glossary of the domain (not of individual questions): it lets BM25 and the
# refusal check see English questions in the corpus' own language.
GLOSSARY = {
    "alliance": "alliantie", "alliances": "allianties", "network": "netwerk", "networks": "netwerken",
    "municipality": "gemeente", "municipalities": "gemeenten", "municipal": "gemeentelijk lokaal bestuur",
    "local": "lokaal", "government": "overheid bestuur", "governments": "besturen", "city": "stad gemeente",
    "town": "gemeente", "region": "regio", "regional": "regionaal regio", "alderman": "schepen",
    "aldermen": "schepenen", "mayor": "burgemeester", "council": "gemeenteraad raad",
    "school": "school", "schools": "scholen", "education": "onderwijs", "teacher": "leraar leerkracht",
    "teachers": "leraren leerkrachten", "pupils": "leerlingen", "students": "leerlingen studenten",
    "children": "kinderen", "youth": "jongeren jeugd", "young": "jongeren", "primary": "lager basisonderwijs",
    "secondary": "secundair", "university": "universiteit", "universities": "universiteiten",
    "college": "hogeschool", "research": "onderzoek", "companies": "bedrijven ondernemingen",
    "company": "bedrijf onderneming", "business": "bedrijven ondernemers", "businesses": "bedrijven",
    "employers": "werkgevers", "industry": "industrie bedrijven", "partners": "partners",
    "partner": "partner", "stakeholders": "partners", "funding": "financiering subsidie",
    "fund": "financiering", "finance": "financiering", "financing": "financiering", "money": "geld financiering",
    "budget": "budget", "euro": "euro", "euros": "euro kosten", "cost": "kosten", "costs": "kosten",
    "subsidy": "subsidie", "subsidies": "subsidies",
    "grant": "subsidie oproep", "grants": "subsidies oproepen", "call": "oproep", "calls": "oproepen",
    "governance": "governance bestuur", "structure": "structuur", "legal": "juridische rechtsvorm",
    "form": "vorm", "steering": "stuurgroep", "committee": "groep", "core": "kerngroep", "group": "groep",
    "coordinator": "coördinator", "lead": "trekker leiding", "leader": "trekker", "leadership": "leiderschap",
    "trust": "vertrouwen", "grow": "groeien", "growth": "groei", "start": "starten beginnen",
    "begin": "beginnen", "starting": "starten", "first": "eerste", "meeting": "vergadering bijeenkomst",
    "steps": "stappen", "step": "stap", "plan": "plan", "multi-year": "meerjarenplan", "multiyear": "meerjarenplan",
    "measure": "meten", "measuring": "meten", "impact": "impact", "effects": "effecten", "indicators": "indicatoren",
    "monitoring": "monitoring", "evaluate": "evalueren", "evaluation": "evaluatie", "theory": "theorie",
    "change": "verandering", "pitfalls": "valkuilen", "mistakes": "valkuilen fouten", "risks": "risico's valkuilen",
    "failure": "faalfactoren", "success": "succes", "factors": "factoren", "sustain": "verduurzamen borgen",
    "sustainable": "duurzaam", "durable": "duurzaam vast", "lasting": "duurzaam", "anchor": "borgen",
    "elections": "verkiezingen", "policy": "beleid", "workshops": "workshops", "academy": "academie",
    "academies": "academies", "offer": "aanbod", "reach": "bereik", "inclusion": "inclusie",
    "girls": "meisjes", "talent": "talent", "library": "bibliotheek", "childcare": "kinderopvang opvang",
    "welfare": "welzijn", "leisure": "vrije tijd", "youth work": "jeugdwerk", "volunteers": "vrijwilligers",
    "volunteering": "vrijwilligerswerk", "labour": "arbeidsmarkt", "labor": "arbeidsmarkt", "market": "markt",
    "shortage": "tekort knelpuntberoepen", "jobs": "jobs beroepen", "technology": "technologie techniek",
    "science": "wetenschap", "engineering": "techniek ingenieurs", "mathematics": "wiskunde", "math": "wiskunde",
    "case": "casus", "example": "voorbeeld", "examples": "voorbeelden", "international": "internationale",
    "checklist": "checklist", "template": "sjabloon", "agreement": "overeenkomst akkoord", "charter": "charter",
    "glossary": "begrippenlijst", "definition": "begrip", "congress": "congres", "recognition": "erkenning",
    "shared": "gedeeld", "staff": "personeel medewerkers", "employees": "personeelsleden",
    "cooperation": "samenwerking", "collaboration": "samenwerking", "collaborative": "samenwerkings",
    "quadruple": "quadruple", "helix": "helix", "ecosystem": "ecosysteem", "ecosystems": "ecosystemen",
    "lifelong": "levenslang", "learning": "leren", "urgency": "urgentie", "energy": "energie",
    "small": "kleine", "neighbours": "buurgemeenten", "neighbors": "buurgemeenten",
    "neighbouring": "buurgemeenten", "neighboring": "buurgemeenten", "abroad": "buitenland internationale",
    "foreign": "buitenlandse internationale", "countries": "landen", "country": "land", "opposition": "oppositie",
    "party": "partij", "parties": "partijen", "coalition": "coalitie", "board": "bestuur raad", "chair": "voorzitter",
    "chairman": "voorzitter", "agenda": "agenda", "minutes": "verslag", "meetings": "vergaderingen",
    "invitation": "uitnodiging", "invite": "uitnodigen", "email": "mail", "insurance": "verzekering",
    "transport": "vervoer", "privacy": "privacy", "gdpr": "AVG", "statutes": "statuten", "association": "vereniging",
    "nonprofit": "vzw", "contract": "overeenkomst", "procurement": "overheidsopdracht", "tender": "overheidsopdracht",
    "results": "resultaten", "outcomes": "effecten resultaten", "survey": "bevraging", "diversity": "diversiteit",
    "camp": "kamp", "camps": "kampen", "hours": "uren", "salary": "loonkost", "conflict": "conflict", "power": "macht",
    "accountability": "verantwoording", "democracy": "democratie", "province": "provincie", "decree": "decreet",
    "law": "wet decreet", "sponsor": "sponsoring", "sponsorship": "sponsoring", "advertising": "reclame",
    "logo": "logo", "scale": "schaal", "lessons": "lessen", "evidence": "bewijs", "sources": "bronnen",
    "source": "bron", "references": "bronnen referenties", "thesis": "masterproef",
}

# English terms of more than one word that the draaiboek names with one Dutch word
# ("core group" is a kerngroep, not a core and a group). They are read before single words.
PHRASES = {
    "core group": "kerngroep", "core team": "kerngroep", "steering group": "stuurgroep",
    "steering committee": "stuurgroep", "lead organisation": "leiderorganisatie", "lead organization": "leiderorganisatie",
    "network administrative organisation": "netwerkadministratieve organisatie NAO",
    "network administrative organization": "netwerkadministratieve organisatie NAO",
    "shared governance": "gedeelde governance zelfregulerend", "self-governed network": "zelfregulerend netwerk",
    "multi-year plan": "meerjarenplan", "multiannual plan": "meerjarenplan", "council decision": "raadsbesluit",
    "council note": "collegenota", "college decision": "collegebesluit", "executive board": "college",
    "board of mayor and aldermen": "college burgemeester schepenen", "reference region": "referentieregio",
    "reference regions": "referentieregio's", "intermunicipal association": "intergemeentelijk samenwerkingsverband",
    "intermunicipal cooperation": "intergemeentelijk samenwerkingsverband", "project association": "projectvereniging",
    "youth work": "jeugdwerk", "after-school": "buitenschoolse", "theory of change": "veranderingstheorie",
    "quick wins": "kleine successen", "small wins": "kleine successen", "public procurement": "overheidsopdrachten",
    "public tender": "overheidsopdracht", "labour market": "arbeidsmarkt", "labor market": "arbeidsmarkt",
    "cooperation agreement": "samenwerkingsovereenkomst convenant", "learning pathway": "leerlijn",
    "learning line": "leerlijn", "council members": "raadsleden", "primary school": "basisschool lager onderwijs",
    "secondary school": "secundaire school", "university college": "hogeschool", "action plan": "actieplan",
    "warning signs": "signalen", "success factors": "succesfactoren", "failure factors": "faalfactoren",
    "start checklist": "startchecklist", "first meeting": "eerste overleg vergadering",
    "make a difference": "effect impact", "makes a difference": "effect impact", "made a difference": "effect impact",
}


def glossary(word: str) -> str | None:
    """The Dutch words for an English word of the glossary (None for any other word).

    Plurals are not read through their singular: on the 146 English calibration
    questions that cost a first citation and 0.009 key facts."""
    return GLOSSARY.get(word)


_PHRASE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, PHRASES), key=len, reverse=True)) + r")\b", re.I)

FOLLOW_UP_START = re.compile(r"^\s*(en|maar|of|ok|oké|dus|ook|and|but|what about|how about)\b", re.I)
DEICTIC = re.compile(r"\b(dat|die|dit|daar\w*|hun|hen|ze|zij|hij|het|deze|those|that|it|they|them)\b", re.I)
FOLLOW_UP_PHRASES = re.compile(
    r"\b(geef een voorbeeld|een voorbeeld|waarom|hoe dan|en verder|meer daarover|wie trekt|wie doet|"
    r"give an example|why|tell me more|and then)\b",
    re.I,
)


@dataclass
class QueryWord:
    """A content word of the question with the index terms that stand for it."""

    word: str
    terms: set[str]
    parts: set[str]
    parts_are_words: bool
    weight: float
    known: bool
    by_parts: bool = False  # known only through its parts ("eindtermen": "eind" and "term")

    def credit(self, found: set[str]) -> float:
        """1 when the word itself is found; partial credit when only its parts are."""
        if self.terms & found:
            return 1.0
        if not self.parts:
            return 0.0
        share = len(self.parts & found) / len(self.parts)
        return share * (1.0 if self.parts_are_words else 0.5)


@dataclass
class PreparedQuery:
    """The question as retrieval and scoring see it."""

    original: str
    resolved: str
    search_text: str
    words: list[QueryWord]
    language: str
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def terms(self) -> list[str]:
        """All index terms of the question (for term-overlap scoring)."""
        return list(dict.fromkeys(t for w in self.words for t in sorted(w.terms | w.parts)))

    @property
    def unknown(self) -> list[str]:
        """Content words that occur nowhere in the corpus."""
        return [w.word for w in self.words if not w.known]

    def coverage(self, found_terms: set[str]) -> float:
        """Share of the question's information (rarity-weighted words) found in ``found_terms``."""
        total = sum(w.weight for w in self.words)
        return sum(w.weight * w.credit(found_terms) for w in self.words) / total if total else 0.0


MAX_WEIGHT = 4.5


def zipf(word: str, language: str) -> float:
    """How common a word is in general language (Zipf scale, 0 = unknown, 7 = 'de')."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en" if language == "en" else "nl")


def word_weight(word: str, language: str) -> float:
    """Information of a word: rare words say what a question is about, common ones don't."""
    if word.isdigit():
        return 3.0
    return max(0.3, 7.0 - zipf(word, language))


def is_real_word(word: str) -> bool:
    """A word of general Dutch or English, so not a typo to correct."""
    return zipf(word, "nl") >= 2.5 or zipf(word, "en") >= 3.0


def prepare(question: str, language: str, vocabulary: frozenset[str], speller: Speller | None,
            resolved: str | None = None, known_terms=None) -> PreparedQuery:
    """Repair typos, translate English domain words and weigh the content words.

    Args:
        question: the user's text.
        language: detected language ('nl', 'en', ...).
        vocabulary: folded corpus words.
        speller: typo corrector over the vocabulary.
        resolved: the question after follow-up resolution (defaults to ``question``).
        known_terms: container of index terms present in the corpus (document frequencies).
    """
    resolved = resolved or question
    known_terms = known_terms if known_terms is not None else {}
    additions: list[str] = []
    corrections: dict[str, str] = {}
    qwords: list[QueryWord] = []
    phrased: set[str] = set()
    if language == "en":
        for phrase in dict.fromkeys(m.group(1).lower() for m in _PHRASE.finditer(resolved)):
            dutch = PHRASES[phrase]
            additions.append(dutch)
            terms = set(analyze(dutch, vocabulary))
            weight = max(word_weight(w, language) for w in words(phrase))
            known = any(t in known_terms for t in terms)
            qwords.append(QueryWord(phrase, terms, set(), True, min(weight, MAX_WEIGHT) if known else weight, known))
            phrased.update(words(phrase))
    for w in dict.fromkeys(words(resolved)):
        if w in STOPWORDS or w in phrased or (len(w) < 3 and not w.isdigit()):
            continue
        weight = word_weight(w, language)
        dutch = glossary(w) if language == "en" else None
        if dutch:
            additions.append(dutch)
            terms, parts, whole = set(analyze(dutch, vocabulary)), set(), True
        else:
            fixed = w
            if w not in vocabulary and speller and not is_real_word(w):
                fixed = speller.correct(w) or w
                if fixed != w:
                    corrections[w] = fixed
                    additions.append(fixed)
            terms, parts, whole = term_groups(fixed, vocabulary)
            if language == "en" and w not in vocabulary:
                weight *= 0.5  # the glossary is small: an untranslated word is weak evidence
        if not terms and not parts:
            continue
        whole_known = any(t in known_terms for t in terms)
        by_parts = not whole_known and bool(parts) and all(t in known_terms for t in parts)
        known = whole_known or by_parts
        if known:  # one rare name the corpus happens to hold ("Herentals") must not carry a question
            weight = min(weight, MAX_WEIGHT)
        qwords.append(QueryWord(w, terms, parts, whole, weight, known, by_parts))
    search_text = " ".join([resolved, *additions])
    return PreparedQuery(question, resolved, search_text, qwords, language, corrections)


def to_dutch(text: str) -> str:
    """An English phrase in the draaiboek's words, as far as the glossary reaches
    ("the core group" becomes "kerngroep"); words it does not know stay as they are."""
    text = _PHRASE.sub(lambda m: PHRASES[m.group(1).lower()], text)
    return " ".join(glossary(w) or w for w in text.split() if w.lower() not in {"the", "a", "an"})


def is_follow_up(question: str) -> bool:
    """Heuristic: short questions that lean on the previous turn."""
    content = [w for w in words(question) if w not in STOPWORDS]
    if len(content) > 6:
        return False
    if FOLLOW_UP_START.search(question) or FOLLOW_UP_PHRASES.search(question):
        return True
    return len(content) <= 3 and bool(DEICTIC.search(question))


def previous_questions(history: Sequence) -> list[str]:
    """User turns from a history of (user, assistant) pairs or role/content dicts."""
    out: list[str] = []
    for turn in history:
        if isinstance(turn, dict):
            if turn.get("role") == "user":
                out.append(str(turn.get("content", "")))
        elif isinstance(turn, (list, tuple)) and turn:
            out.append(str(turn[0]))
    return [q for q in out if q.strip()]


def resolve_follow_up(question: str, history: Sequence) -> str:
    """Join a follow-up to the previous question so retrieval sees its subject."""
    context = ""
    for earlier in previous_questions(history):
        context = f"{context} {earlier}".strip() if context and is_follow_up(earlier) else earlier
    if not context or not is_follow_up(question):
        return question
    return f"{context} {question}"

"""The refusal decision's evidence: how well the retrieved sections cover a question.

Two kinds of question fall outside the draaiboek. Some are about another matter
altogether (waste collection, a passport); they sit closer to an off-topic question
(``buiten-bereik.yaml``) than to any question a section answers, or use words the
corpus never uses. Others are about the domain but ask for a fact a guide cannot hold:
a figure, a date or a person, often "now" or for a named town or company. For those
the sections must hold a sentence with the question's years and names.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

from assistant.answer.scope import ScopeExamples, load_examples, neighbour_margin
from assistant.retrieval.query import PHRASES, PreparedQuery, glossary, is_real_word
from assistant.retrieval.search import SearchResult
from assistant.text import analyze, fold

# A question that asks for a value: a figure, an amount, a date, an address, or who (which companies).
ASKS_VALUE = re.compile(
    r"\b(hoeveel|how (?:much|many)|welke? (?:bedrag|percentage|tarief|datum|barema|loonschaal)|wat kost|"
    r"tot wanneer|op welke datum|wanneer (?:gaat|sluit|opent|start)|wie is|wie zijn|who is|who are|"
    r"telefoonnummer|phone|e-?mail|adres|address|btw|vat rate|"
    r"welke (?:bedrijven|organisaties|scholen|gemeenten|personen)|which (?:companies|organisations|schools|towns)|"
    r"welk (?:aandeel|percentage)|what (?:share|percentage|proportion))\b",
    re.I)
# A period of time ("volgend jaar", "this school year"): about the present state of things only
# when the question asks for a value or is not about the user's own plans.
_PERIODS = (r"(?:dit|vorig|volgend|komend) (?:school)?jaar|deze (?:maand|week)|(?:this|last) (?:school )?year|"
            r"this (?:month|week)|next (?:[\w-]+ )?year")
_PERIOD = re.compile(_PERIODS, re.I)
# A question about the present state of things (or a contact's number), which a guide written once cannot know.
ASKS_CURRENT = re.compile(
    rf"\b(huidige?|momenteel|op dit moment|nu loopt|die nu|{_PERIODS}|vandaag|"
    r"volgende [\w-]*(?:oproep|ronde|deadline)|de deadline|currently|right now|at the moment|today|"
    r"next (?:[\w-]+ )?(?:call|round|deadline)|the deadline|"
    # so does how to sign up for a camp, a school or an event ("hoe schrijf ik mijn kind in?")
    r"(?:schrijf|schrijven) (?:ik|je|we|wij|u) (?:(?:me|mij|ons|mijn [\w-]+|onze [\w-]+) )?"
    r"in(?=\s*[?.!,]|\s+(?:en|of)\b|$)|"
    r"(?:me|mij|ons|zich) (?:nog )?(?:inschrijven|aanmelden)|how (?:do|can|should) (?:i|we) (?:register|sign up|enrol)|"
    # contact details change, and the draaiboek names roles on purpose, never persons or numbers
    r"(?:telefoon|gsm)[- ]?nummer|(?:e-?)?mailadres|phone number|e-?mail address|contact details|contactgegevens)\b",
    re.I)
_OWN_PLANS = re.compile(r"\b(?:ik|we|wij|je|jij|u|i|you)\b", re.I)  # the user as subject
# A question about what this guide or its assistant can do ("Can this guide tell me which calls
# are open right now?") is answered by the draaiboek's own page on what it does not do.
ABOUT_TOOL = re.compile(r"\b(?:this|the|dit|het|deze|de) (?:guide|draaiboek|gids|assistent|assistant|chatbot|tool|"
                        r"alliantiewijzer)\b|\balliantiewijzer\b", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# A capitalised word that does not open a sentence, or an acronym: a name.
_NAME = re.compile(r"(?<![.?!:]\s)(?<!^)\b([A-Z][\w-]+|[A-Z]{2,}[\w-]*)")
# English capitalises what Dutch writes in lower case ("Flemish" is "Vlaamse"): no name either.
_NOT_NAMES = {"STEM", "I", "OK", "Flemish", "Belgian", "European", "Dutch", "English", "French", "German"}
# A word at least this informative (Zipf frequency 3.8 or rarer) is part of what a value
# question names: "ingenieurs" in "Welke bedrijven in de Kempen zoeken ingenieurs?".
RARE_WEIGHT = 3.2


@dataclass
class Relevance:
    """How well the retrieved sections cover the question (for the refusal decision).

    Attributes:
        dense: best cosine between the question and a passage (semantic match).
        anchor: best cosine between the question and a question a section answers.
        coverage: rarity-weighted share of the question's words found in the top sections together.
        best_passage: the same share for the best single section.
        outside: best cosine between the question and an off-topic question.
        unknown: rarity-weighted share of the question's words that occur nowhere in the corpus.
        missing_value: for a question asking for a figure, date or person about a named
            thing, the share of its years, names and rare words that no single sentence of
            the top sections holds (else 0).
        current: 1 when the question asks about the present state of things.
        english: 1 for an English question (the draaiboek is Dutch, so every cosine and
            coverage of an English question runs lower).
        outside_topic: best cosine with an off-topic question whose own subject the question
            shares: a word of it that the draaiboek (nearly) never uses ("jeugdhuis"). A vague
            "wat zijn de valkuilen bij de opstart?" resembles "wat zijn de valkuilen bij de
            opstart van een deelfietssysteem?" in form only.
        asked_coverage: the best share, over the top sections, of the question's words found in
            the questions a section answers (its anchor questions): users' words for what it covers.
        unread: 1 for an English question of which the product reads no word: none is in the
            glossary or in the draaiboek ("Write a bash one-liner that lists big files"). Only
            the embedding then links it to a section, and a cosine alone carries little.
    """

    dense: float
    anchor: float
    coverage: float
    best_passage: float
    outside: float = 0.0
    unknown: float = 0.0
    missing_value: float = 0.0
    current: float = 0.0
    english: float = 0.0
    outside_topic: float = 0.0
    asked_coverage: float = 0.0
    unread: float = 0.0
    neighbours: float = 0.0

    @property
    def closest(self) -> float:
        """How close the question is to what a section answers: its closest anchor question,
        or for documents without anchor questions (a user's PDF) its closest passage
        (question-to-passage cosines run about 0.03 below question-to-question ones)."""
        return max(self.anchor, self.dense + 0.03)

    @property
    def margin(self) -> float:
        """How much closer the question is to a section than to an off-topic theme."""
        return self.closest - self.outside

    def features(self) -> dict[str, float]:
        """The evidence by name, as the refusal weights address it."""
        out = {f.name: float(getattr(self, f.name)) for f in fields(self)}
        out["closest"], out["margin"] = self.closest, self.margin
        out["topic_margin"] = self.closest - self.outside_topic
        return out

    def combine(self, settings) -> float:
        """The weighted evidence (a logistic-regression score: above 0 leans to answering)."""
        values = self.features()
        weights = settings.refusal_weights
        return weights.get("bias", 0.0) + sum(w * values[name] for name, w in weights.items() if name != "bias")


def relevance_of(result: SearchResult, bank_path=None, examples: ScopeExamples | None = None) -> Relevance:
    """How much of the question the sections hold, in meaning and in words.

    Coverage weighs each content word by its rarity in general language (wordfreq),
    so a proper name or a generic word cannot carry a question on its own. The weights
    are fitted with ``evals/tune.py`` on the calibration set. ``examples`` are the labelled
    questions to compare with (default: those shipped for the index's embedding model;
    :data:`assistant.answer.scope.NO_EXAMPLES` for none).
    """
    if not result.hits:
        return Relevance(0.0, 0.0, 0.0, 0.0, 1.0, 1.0)
    query = result.query
    vocab = result.snapshot.vocabulary
    top = result.hits[:3]
    per_section = [_section_terms(f"{h.section.title} {h.section.heading} {h.section.text}", vocab) for h in top]
    found = set().union(*per_section)
    coverage = query.coverage(found)
    best = max(query.coverage(t) for t in per_section)
    sims = result.snapshot.outside_similarities(result.query_vector)
    outside = float(sims.max()) if len(sims) else 0.0
    missing = 0.0
    if ASKS_VALUE.search(query.resolved):
        sentences = [s.text for h in top for s in h.section.sentences]
        rare = {w.word: w.terms | w.parts for w in query.words if w.weight >= RARE_WEIGHT and w.known}
        topical = [{t for t in w.terms if result.snapshot.topical(t)} for w in query.words if w.known]
        missing = _missing_specifics(query.resolved, sentences, rare, vocab, topical, query.corrections)
    current = float(asks_current(query.resolved) and not ABOUT_TOOL.search(query.resolved))
    topic = _outside_on_topic(result, sims, bank_path)
    asked_terms = result.snapshot.asked_terms()
    asked = max((query.coverage(set(asked_terms.get(h.section.id, ()))) for h in top), default=0.0)
    return Relevance(result.best_dense, result.best_anchor, coverage, best, outside, _unknown_share(query), missing,
                     current, float(query.language == "en"), topic if topic is not None else outside, asked,
                     _unread(query, vocab), _neighbours(result, examples))


def _neighbours(result: SearchResult, examples: ScopeExamples | None) -> float:
    """The question's nearest in-scope questions against its nearest out-of-scope ones:
    the sections' anchor questions and the off-topic bank, with the labelled examples."""
    snap = result.snapshot
    if examples is None:
        examples = load_examples(snap.signature.get("embedding_model", ""))
    anchors, _ = snap.anchors()
    inside = [anchors] + ([examples.inside] if examples is not None else [])
    outside = [snap.outside_vectors] + ([examples.outside] if examples is not None else [])
    return neighbour_margin(result.query_vector, inside, outside)


def asks_current(text: str) -> bool:
    """Whether the question asks about the present state of things: "wie is momenteel
    schepen", "how many pupils this year". A period in the user's own plans ("wat regelen
    we nu als de alliantie volgend jaar moet draaien?") is not such a question, unless
    it asks for a value ("tot wanneer kunnen we dit jaar nog indienen?")."""
    asked = asked_part(text)
    found = [m.group(0) for m in ASKS_CURRENT.finditer(asked)]
    if not found:
        return False
    plans = all(_PERIOD.fullmatch(x) for x in found) and _OWN_PLANS.search(asked) and not ASKS_VALUE.search(asked)
    return not plans


def asked_part(text: str) -> str:
    """The sentences that ask (end in "?"), without the context a user gives first: in
    "We deden vorig jaar een STEM-dag. Hoe houden we de partners warm?" the question is
    not about last year. Text without a question mark is all question."""
    asked = [s for s in re.findall(r"[^.!?]+[.!?]*", text) if s.rstrip().endswith("?")]
    return " ".join(asked) or text


NO_TOPIC = 0.75  # the cosine of two unrelated questions: what "no off-topic subject shared" counts as
RARE_IN_CORPUS = 2  # a term in at most this many passages is not a subject of the draaiboek


def _outside_on_topic(result: SearchResult, sims: np.ndarray, bank_path=None) -> float | None:
    """Best of ``sims`` (the cosines with the off-topic questions) among the off-topic
    questions that share their subject with the question (a term the corpus uses in at
    most two passages) or have no such term; None when the index's bank is not the bank
    on disk."""
    snap = result.snapshot
    if not len(sims):
        return 0.0
    key = (str(bank_path or ""), snap.outside_sha, snap.path or id(snap))  # the snapshot's corpus decides
    with _SUBJECTS_LOCK:
        if key not in _SUBJECTS:
            _SUBJECTS.clear()  # one live snapshot at a time
            _SUBJECTS[key] = _bank_subjects(key[0], snap.outside_sha, snap.vocabulary, snap.df)
        subjects = _SUBJECTS[key]
    if subjects is None or len(subjects) != len(sims):
        return None
    asked = set(analyze(result.query.search_text, snap.vocabulary))
    shared = [float(sim) for sim, subject in zip(sims, subjects) if not subject or subject & asked]
    return max(shared, default=NO_TOPIC)


_SUBJECTS: dict[tuple, list[frozenset[str]] | None] = {}
_SUBJECTS_LOCK = threading.Lock()


def _bank_subjects(path: str, sha: str, vocabulary: frozenset[str], df: dict[str, int]) -> list[frozenset[str]] | None:
    """Per off-topic question, its terms that the corpus (nearly) never uses: its subject."""
    from assistant.ingest.outside import load_bank

    bank, bank_sha = load_bank(path or None)
    if bank_sha != sha:
        return None
    return [frozenset(t for t in analyze(q, vocabulary) if df.get(t, 0) <= RARE_IN_CORPUS) for q in bank.questions]


def _unread(query: PreparedQuery, vocabulary: frozenset[str]) -> float:
    """1 when the question is English and none of its words (numbers aside) is in the
    glossary or in the draaiboek's vocabulary."""
    if query.language != "en":
        return 0.0
    readable = (w for w in query.words if not w.word.isdigit())
    return float(not any(w.word in PHRASES or glossary(w.word) or w.word in vocabulary for w in readable))


def _unknown_share(query: PreparedQuery) -> float:
    """Rarity-weighted share of the question's words that the corpus never uses.

    A compound that the corpus knows only through its parts counts as unknown: its
    parts find passages, but "eindtermen" is not about "eind" or "term". In an English
    question only words that are not ordinary English count: the corpus is Dutch, so
    "dependent" or "tell" are unknown to it without saying anything about what the
    question is about.
    """
    total = sum(w.weight for w in query.words)
    strange = (w for w in query.words
               if (not w.known or w.by_parts) and (query.language != "en" or not is_real_word(w.word)))
    return sum(w.weight for w in strange) / total if total else 0.0


@lru_cache(maxsize=4096)
def _section_terms(text: str, vocabulary: frozenset[str]) -> frozenset[str]:
    """A section's index terms (the same for every question: kept between questions)."""
    return frozenset(analyze(text, vocabulary))


def specifics(question: str) -> set[str]:
    """The years and names in a question (folded; "VLAIO-oproep" counts as VLAIO)."""
    names = {m.group(1).split("-")[0] for m in _NAME.finditer(question.strip())} - _NOT_NAMES
    return {fold(x) for x in set(_YEAR.findall(question)) | names}


def _missing_specifics(question: str, sentences: list[str], rare: dict[str, set[str]] | None = None,
                       vocabulary: frozenset[str] = frozenset(), topical: list[set[str]] | None = None,
                       corrections: dict[str, str] | None = None) -> float:
    """For a value question about a named thing ("Welke bedrijven in de Kempen zoeken
    ingenieurs?"): the share of its years, names and rare words (given as their index
    terms) that the best single sentence lacks. Without a year or a name the question
    is not about one specific thing, and nothing is missing. Without rare words, a
    sentence holds the names only when it also shares a topical term (one of ``topical``)
    with the question: "2024" in a sentence about a study morning says nothing about
    the graduates of 2024. A name the user misspelt counts as the name it was corrected to
    (``corrections``: "Jansens" is "Janssens")."""
    names = {(corrections or {}).get(n, n) for n in specifics(question)}
    if not names:
        return 0.0
    groups = [terms for word, terms in (rare or {}).items() if terms and word not in names]
    topical = [t for t in (topical or []) if t and not t & names]
    held = 0
    for text in sentences:
        folded = fold(text)
        found = sum(n in folded for n in names)
        if found and (groups or topical):
            terms = set(analyze(text, vocabulary))
            found += sum(bool(g & terms) for g in groups)
            if not groups and not any(t & terms for t in topical):
                found = 0
        held = max(held, found)
    return (len(names) + len(groups) - held) / (len(names) + len(groups))

"""Dutch text analysis shared by BM25, sentence scoring and evaluation.

The pipeline is NFKC (PDF ligatures), whitespace folding, lowercasing, accent folding,
tokenising, stopword removal, Dutch compound splitting against the corpus vocabulary
and the ``dutch_porter`` stemmer (the plain ``dutch`` stemmer in PyStemmer is the
aggressive Kraaij-Pohlmann one: gemeente -> meen).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_SPACE = re.compile(r"\s+")

STOPWORDS_NL = frozenset(
    """aan al alle alles als altijd andere ben bij daar dan dat de der deze die dit doch doen
    door dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun
    iemand iets ik in is ja je kan kon kunnen maar me meer men met mij mijn moet na naar niet
    niets nog nu of om omdat onder ons ook op over reeds te tegen toch toen tot u uit uw van veel
    voor want waren was wat werd wezen wie wil worden wordt zal ze zelf zich zij zijn zo zonder zou
    welke waar wanneer waarom we wij jullie onze ons hoeveel best beste goed goede kunt moeten
    mag mogen wel dus daarbij hierbij erg even eigenlijk gewoon""".split()
)
STOPWORDS_EN = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing done down during each even ever every
    few for from get gets got had has have having he her here hers him his how i i'm if in into
    is it it's its just let like many may me might more most much must my no nor not now of off
    on once one only or other our ours out over own quite rather really same shall she should so
    some such than that that's the their them then there these they this those through to too
    under until up us very was we we're were what what's when where whether which while who whom
    why will with within without would yes yet you your yours actually anyway tell want know
    need use way""".split()
)
STOPWORDS = STOPWORDS_NL | STOPWORDS_EN

# Separable verb particles: "samenwerking" is not a compound of "samen" and "werking".
PARTICLES = frozenset(
    """aan achter binnen boven buiten door mede mee neer omhoog onder over samen tegen terug
    toe tussen uit verder voor vooruit weg zelf""".split()
)

_stemmer = Stemmer.Stemmer("dutch_porter")


def normalize(text: str) -> str:
    """NFKC-normalise and collapse whitespace, keeping case and accents."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


# The combining marks that NFKD splits off letters (the Unicode blocks of combining diacritics).
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lowercase and strip accents (één -> een, coördinatie -> coordinatie)."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower()))


def words(text: str) -> list[str]:
    """Folded word tokens, stopwords included."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Dutch Porter stem with final devoicing (bedrijven and bedrijf share a stem)."""
    s = _stemmer.stemWord(word)
    if s.endswith(("ies", "ees", "ties")):  # academies, ideees: plural -s the stemmer keeps
        s = s[:-1]
    if len(s) > 3 and s[-1] in "vz":
        s = s[:-1] + ("f" if s[-1] == "v" else "s")
    return s


def split_compound(word: str, vocabulary: frozenset[str] | set[str]) -> list[str]:
    """Split a Dutch compound into two known words, allowing a linking s or en.

    Args:
        word: a folded word.
        vocabulary: folded words known to the corpus.

    Returns:
        The parts (empty when no split into known words of 4+ letters exists).
    """
    if len(word) < 8:
        return []
    for i in range(len(word) - 4, 3, -1):
        left, rest = word[:i], word[i:]
        if left not in vocabulary or left in STOPWORDS or left in PARTICLES:
            continue
        for link in ("", "s", "en", "e"):
            right = rest[len(link):] if rest.startswith(link) else None
            if right and len(right) >= 4 and right not in STOPWORDS and _known(right, vocabulary):
                return [left, right]
    return []


def _known(word: str, vocabulary: frozenset[str] | set[str]) -> bool:
    """Whether ``word`` or its form without a plural ending is in the vocabulary."""
    return any(
        word[: len(word) - len(end)] in vocabulary
        for end in ("", "en", "s", "n")
        if word.endswith(end) and len(word) - len(end) >= 4
    )


def analyze(text: str, vocabulary: frozenset[str] | set[str] = frozenset(), query: bool = False) -> list[str]:
    """BM25 terms: stems of the non-stopwords, plus the stems of compound parts.

    With ``query=True`` a word that the corpus knows as a whole is not split: the
    index already holds its parts, and splitting it again only adds noise.
    """
    terms: list[str] = []
    for token in words(text):
        pieces = token.replace("'", "").split("-")
        joined = "".join(pieces)
        for w in [joined, *pieces] if len(pieces) > 1 else [joined]:
            if w in STOPWORDS or len(w) < 2:
                continue
            terms.append(stem(w))
            if not (query and w in vocabulary):
                terms.extend(stem(p) for p in split_compound(w, vocabulary))
    return terms


def term_groups(word: str, vocabulary: frozenset[str] | set[str] = frozenset()) -> tuple[set[str], set[str], bool]:
    """(main terms, part terms, parts_are_words) of one folded query word.

    The main term is the stem of the whole word (hyphens removed); parts are the stems
    of its hyphen pieces (reliable words: parts_are_words is True) or, failing that, of
    a compound split against the vocabulary (a weaker signal).
    """
    pieces = [p for p in word.replace("'", "").split("-") if p]
    joined = "".join(pieces)
    main = {stem(joined)} if joined and joined not in STOPWORDS else set()
    if len(pieces) > 1:
        return main, {stem(p) for p in pieces if p not in STOPWORDS}, True
    return main, {stem(p) for p in split_compound(joined, vocabulary)}, False


def vocabulary_of(texts: Iterable[str]) -> frozenset[str]:
    """The folded words of four or more letters that occur in ``texts``."""
    vocab: set[str] = set()
    for t in texts:
        vocab.update(w for w in words(t) if len(w) >= 4 and w.isalpha())
    return frozenset(vocab)


_ABBREVIATIONS = frozenset(
    """bv bijv vb o.a m.a.w enz etc nr nrs p pp blz dr prof ir mr ing ca incl excl art
    e.d i.s.m t.e.m t.a.v m.b.t i.p.v z.g.a.n d.w.z resp jl vlg fig min max e.a
    mevr dhr st vzw cf zgn""".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9ÀÁÂÉÈËÏÖÜ])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")  # "j" of "J. Provan", "w.k" of "W.K. Kellogg"


def split_sentences(text: str) -> list[str]:
    """Split Dutch text into sentences.

    Lines that are list items or headings are sentences of their own; within a
    paragraph a full stop ends a sentence unless it closes a known abbreviation
    ("bv.", "o.a.", "art.") or initials ("J. Provan", "W.K. Kellogg"), or stands inside
    a link's text.
    """
    return [unit[0] for unit in split_units(text)]


def split_units(text: str) -> list[tuple[str, int, int]]:
    """Sentences with their place in lists: ``(sentence, list_no, item_no)``.

    ``list_no`` is 0 for prose and 1, 2, ... for the first, second, ... list of the
    text (a list continues across blank lines until prose intervenes); ``item_no``
    numbers the items of the text from 1 (0 for prose), so the sentences of one item
    share it.
    """
    units: list[tuple[str, int, int]] = []
    list_no = item_no = 0
    in_list = False
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in paragraph.splitlines() if ln.strip()]
        if not lines:
            continue
        if not any(_LIST_ITEM.match(ln) for ln in lines):
            units.extend((s, 0, 0) for s in _split_prose(" ".join(ln.lstrip("# ") for ln in lines)))
            in_list = False
            continue
        for ln in lines:
            if _LIST_ITEM.match(ln):
                if not in_list:
                    list_no, in_list = list_no + 1, True
                item_no += 1
                units.extend((s, list_no, item_no) for s in _split_prose(_LIST_ITEM.sub("", ln)))
            else:
                units.extend((s, 0, 0) for s in _split_prose(ln.lstrip("# ")))
                in_list = False
    return [u for u in units if u[0]]


def _split_prose(text: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start()].rstrip("\"')]")
        last = before.rsplit(" ", 1)[-1].lower().rstrip(".")
        if last in _ABBREVIATIONS or _INITIALS.fullmatch(last) or before.count("[") > before.count("]"):
            continue  # "bv.", "J. Provan", "W.K. Kellogg" and a full stop inside a link's text
        parts.append(text[start : m.start()].strip())
        start = m.end()
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Speller:
    """Corrects single-letter typos against the corpus vocabulary (SymSpell, distance 1).

    "aliantie" -> "alliantie", "financiring" -> "financiering", "stuurgreop" -> "stuurgroep".
    """

    def __init__(self, vocabulary: Iterable[str], min_length: int = 5):
        self.vocabulary = frozenset(vocabulary)
        self.min_length = min_length
        self._index: dict[str, set[str]] = {}
        for w in self.vocabulary:
            if len(w) >= min_length:
                for d in _deletes(w):
                    self._index.setdefault(d, set()).add(w)

    def correct(self, word: str) -> str | None:
        """The known word one edit away from ``word``, or None when there is none."""
        if word in self.vocabulary or len(word) < self.min_length or not word.isalpha():
            return None
        candidates = set(self._index.get(word, ()))  # a letter was left out
        for d in _deletes(word):
            if d in self.vocabulary and len(d) >= self.min_length:
                candidates.add(d)  # a letter too many
            candidates |= self._index.get(d, set())  # a wrong or swapped letter
        return min(candidates, key=lambda w: (abs(len(w) - len(word)), w)) if candidates else None

"""Sentences that lean on the one before them.

A sentence that opens with a pronoun ("Ze beschrijven drie vormen"), a connective
("Daarmee werd de gemeente..."), an ordinal ("Een tweede valkuil...") or that is a bare
label ("Het risico:") cannot stand alone in an answer: it either brings its
predecessor or stays out. The same test counts such sentences in evaluated answers.

Some sentences and sections say nothing by themselves for most questions: a question
the text asks, a line about the chapter, a template's fill-in fields, a reading route.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from assistant.index.records import SectionRecord
from assistant.text import analyze, fold, words
from assistant.types import AnswerSentence

if TYPE_CHECKING:
    from assistant.index.snapshot import Snapshot

_PRONOUN = r"hij|zij|ze|hun|hen|haar|zijn|het|dat|dit|die|deze|daar|hier|zo'n|zulke|dezelfde|diezelfde"
_VERBS = (
    r"is|was|zijn|waren|heeft|hebben|had|hadden|wordt|werd|worden|werden|kan|kunnen|kon|konden|moet|moeten|"
    r"zal|zullen|zou|zouden|mag|mogen|gaat|gaan|ging|komt|komen|kwam|maakt|maken|maakte|vraagt|vragen|geeft|"
    r"geven|gaf|laat|laten|blijft|blijven|bleef|betekent|betekende|toont|tonen|onderscheidt|onderscheiden|"
    r"beschrijft|beschrijven|noemt|noemen|noemde|helpt|helpen|vormt|vormen|vormde|biedt|bieden|bood|"
    r"draagt|dragen|brengt|brengen|bracht|houdt|houden|zorgt|zorgen|leidt|leiden|leidde|lijkt|lijken|"
    r"staat|staan|stond|gebeurt|gebeurde|geldt|gelden|gold|telt|tellen|kost|kosten|vraagt|verbindt|"
    r"verbinden|werkt|werken|werkte|bundelt|bundelen|schetst|somt|vat|vatten|behandelt|bespreekt|gebruikt|koppelt|"
    r"legt|zet|zetten|wint|verschilt|klopt|kloppen|bestaat|bestaan|bestond|omvat|omvatten|heet|heten|heette|begint|"
    r"beginnen|begon|ligt|liggen|lag|wil|willen|wilde|weet|weten|ziet|zien|zag|krijgt|krijgen|kreeg|"
    r"steunt|steunen|past|passen|sluit|sluiten|vergt|vergen|vereist|vereisen|levert|leveren|leverde|"
    r"stelt|stellen|stelde|wijst|wijzen|wees|spreekt|spreken|sprak|gaf|merkt|merken|merkte|ontstond|"
    r"ontstaat|kwamen|doet|doen|deed|valt|vallen|viel|loopt|lopen|liep|dient|dienen|hoort|horen"
)
_LEANING = re.compile(
    rf"^(?:(?:{_PRONOUN})\s+(?:{_VERBS}|ook|niet|al|echter|immers|dus|daarom|dan|wel|vaak|meestal|"
    rf"eveneens|bovendien|tegelijk|trouwens|evenmin)\b"
    r"|(?:hij|zij|ze|hun|hen|haar)\b"
    r"|zijn\s+(?!(?:er|de|het|een|die|dat|deze|dit|ze|we|jullie|alle|veel|sommige|u)\b)[a-zà-ÿ]"  # "Zijn raad: …"
    r"|(?:daar|hier|waar)(?:mee|door|om|bij|naast|na|voor|van|in|op|uit|aan|over|onder|tegen|toe)\b"
    r"|(?:bovendien|ook|toch|maar|want|dus|evenmin|eveneens|tegelijk(?:ertijd)?|anderzijds|enerzijds|"
    r"vervolgens|verder|nadien|zodoende|kortom|tot slot|ten slotte|tenslotte|integendeel|omgekeerd|"
    r"bijgevolg|daarentegen|desondanks|evengoed|zo|en|of|nog|wel|pas|toen|alleen dat)\b"
    r"|(?:een|de|het)\s+(?:tweede|derde|vierde|vijfde|zesde|laatste|volgende|andere)\b"
    r"|(?:de|het)\s+ene\b"
    rf"|(?:de|het)\s+eerste\s+(?:{_VERBS})\b"  # "De eerste is de inhoud": the first of what came before
    r"|(?:één|eén|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|enkele|sommige|veel|de meeste|\d+)\s+"
    r"(?:daarvan|ervan|van hen|van die|van deze)\b"  # "Vier daarvan gaan over werk": four of what came before
    r"|ten\s+(?:tweede|derde|vierde|vijfde)\b"
    rf"|welke?\s+van\s+(?:de|die|deze)\s+(?:twee|drie|vier|beide)\s*(?:,|(?:{_VERBS})\b)"  # "Welk van de twee klopt"
    r"|(?:it|they|this|that|these|those|he|she|also|but|so|however|therefore|moreover|"
    r"furthermore|thus|then|a second|the second|a third|the third|finally)\b)",
    re.I,
)
# Words for the text itself ("dit hoofdstuk", "met deze nota"): a pointer to them needs no predecessor.
_SELF = r"draaiboek|hoofdstuk|sectie|sjabloon|model|nota|mail|brief|checklist|gids|handleiding|tekst|boek|overzicht|deel"
_DEMONSTRATIVE = re.compile(rf"^(?:dat|die|deze|dit|zo'n|zulke|diezelfde|dezelfde)\s+(?!(?:{_SELF})\b)[a-zà-ÿ]", re.I)
# "Het loont dus om ...", "Een alliantie heeft daarom ...": a conclusion from what came before.
_CONSEQUENCE = re.compile(r"^(?:[\w'’-]+,?\s+){1,4}(?:dus|daarom|daardoor|hierdoor|immers|bijgevolg|derhalve)\b"
                          # "Scholen, hogescholen en bedrijven verbind je dus …": after a longer subject
                          r"|^[^.;:?!]{0,90}?\b(?:verbind|leunt|ligt|is|zijn|heeft|hebben|kan|kunnen|moet|moeten|"
                          r"wordt|worden|blijft|blijven|past|passen|gaat|gaan|hoort|horen)\s+(?:je\s+|het\s+|ze\s+)?"
                          r"(?:dus|daarom|immers|bijgevolg)\b", re.I)
# "In dit overleg ...", "Bij die aanpak ...": a phrase that points back at something named before.
_POINTING = re.compile(
    r"^(?:in|op|bij|na|voor|met|uit|tijdens|door|via|van|naast|zonder|vanuit|binnen)\s+(?:dat|die|dit|deze|zo'n|zulke)\s+"
    rf"(?!(?:{_SELF})\b)[a-zà-ÿ]", re.I)
# Words after a relative "die" ("een opvolger voor, lang voor die nodig is"): no noun follows.
_NOT_A_NOUN = (r"nodig|zelf|er|het|de|een|al|nog|ook|niet|wel|graag|dat|is|was|zijn|waren|heeft|hebben|kan|kunnen|"
               r"moet|moeten|wil|willen|zal|zullen|wordt|worden|dan|daar|hier|nu|toch|meestal|vaak|soms|u|je|we|ze")
# Anywhere in the sentence: "mikt op die jaarlijkse aanpassing", "past niet meer bij die werkelijkheid".
_POINTING_ANYWHERE = re.compile(
    r"\b(?:in|op|bij|na|voor|met|uit|tijdens|door|via|van|naast|zonder|vanuit|binnen|aan|over|tot|onder|tegen)\s+"
    rf"(?:die|deze|dit|zo'n|zulke)\s+(?!(?:{_SELF}|{_NOT_A_NOUN})\b)[a-zà-ÿ]", re.I)
# "dat zulke onbedoelde neveneffecten ...": such effects as were named before, unless this
# sentence names them itself ("een organisatienetwerk ... hoe zulke netwerken").
_SUCH = re.compile(r"\bzulke\s+([a-zà-ÿ]+)", re.I)
# "Wie die vraag niet kan beantwoorden, …": the question named before.
_ASKING_BACK = re.compile(
    rf"^(?:wie|wat|waar|wanneer|hoe|waarom)\s+(?:die|deze)\s+(?!(?:{_SELF}|{_NOT_A_NOUN})\b)[a-zà-ÿ]", re.I)
# "Janssens vertelde iets gelijkaardigs": similar to what came before.
_SIMILAR = re.compile(r"\b(?:gelijkaardig|soortgelijk)\w*", re.I)
# "Bij STEM Neteland is het antwoord …": the answer to a question asked in the sentence before.
_ANSWERS_BEFORE = re.compile(
    r"\b(?:is|was|luidt)\s+het\s+antwoord\b(?!\s+op\b)|^(?:het|ons)\s+antwoord\s+(?:is|luidt)\b", re.I)
# "Het lespakket van 2025 illustreert dat:": a sentence that shows what the one before it said.
_SHOWS_THAT = re.compile(r"\b(?:illustreert|illustreren|toont|tonen|bewijst|bewijzen|bevestigt|bevestigen|"
                         r"onderstreept|onderstrepen|verduidelijkt)\s+(?:dat|dit|het)\s*(?:[:.]|$)", re.I)
_INVERTED = re.compile(rf"^(?:[\w'’-]+[,]?\s+){{1,4}}(?:{_VERBS})\s+(?:hij|zij|ze)\b", re.I)
# "Ten eerste meet ze …" (any verb after an opening adverb) and "Houd hem op de hoogte": a person
# or thing named before.
_INVERTED_ANY = re.compile(r"^(?:ten\s+\w+|daarna|nadien|eerst|vervolgens|intussen|soms|vaak|meestal|toen|nu|"
                           r"in\s+\d{4})[,]?\s+[a-zà-ÿ]+\s+(?:hij|zij|ze)\b", re.I)
_OBJECT = re.compile(r"\bhem\b", re.I)
_LABEL = re.compile(r"^[\w'’ -]{1,40}:\s*$")


REPEAT = 0.95  # the cosine at which a sentence only says again what another section's sentence said


def echoes(snapshot: Snapshot, section: SectionRecord, said: Sequence[AnswerSentence]) -> np.ndarray:
    """Per sentence of ``section``, its best cosine with a sentence the answer already
    holds from another section (``said``: answer sentences with their section and
    position). Two chapters may explain the same three forms in other words."""
    others = [snapshot.sentence_vectors_of(snapshot.sections[s.section_id])[s.position] for s in said
              if s.section_id != section.id and s.section_id in snapshot.sections and s.position is not None]
    if not others or not section.sentences:
        return np.zeros(len(section.sentences))
    return (snapshot.sentence_vectors_of(section) @ np.asarray(others, dtype=np.float32).T).max(axis=1)


def leans_on_previous(sentence: str) -> bool:
    """Whether ``sentence`` needs the sentence before it to be understood."""
    text = sentence.strip().lstrip("*_\"'“‘(").strip()
    if not text:
        return False
    if _LABEL.match(text):
        return True
    if _DEMONSTRATIVE.match(text) and not re.match(r"^\w+\s+[A-Z]", text):  # "Dat Neteland ..." is a clause
        return True
    return bool(_LEANING.match(text) or _INVERTED.match(text) or _CONSEQUENCE.match(text) or _POINTING.match(text)
                or _POINTING_ANYWHERE.search(text) or _such_from_before(text) or _SIMILAR.search(text)
                or _ASKING_BACK.match(text) or _ANSWERS_BEFORE.search(text) or _INVERTED_ANY.match(text)
                or _OBJECT.search(text) or _SHOWS_THAT.search(text))


def _such_from_before(text: str) -> bool:
    """"zulke X" where X (its first five letters) is not named earlier in the sentence."""
    return any(fold(m.group(1))[:5] not in fold(text[: m.start()]) for m in _SUCH.finditer(text))


def defines(sentence: str, term: str) -> bool:
    """Whether ``sentence`` defines ``term`` ("Projectvereniging: een ..." or "Een RTC is ...")."""
    pattern = rf"^(?:een |de |het |a |an |the )?{re.escape(fold(term))}(?:s|en)?\b\s*(?::|is\b|zijn\b|\(|,|-)"
    return bool(re.match(pattern, fold(sentence)))


def defining(sentences, term: str):
    """The first of ``sentences`` (anything with a ``text``) that defines ``term``, or None."""
    return next((s for s in sentences if defines(s.text, term)), None)


def is_label(sentence: str) -> bool:
    """A bare label such as "Het risico:" or "Twee stappen:" (an introduction, not a statement)."""
    return bool(_LABEL.match(sentence.strip()))


ENTRY = re.compile(r"^([^:.;?!\d]{2,40}):\s+\S")  # "Kerngroep: …", not "Week 5 tot 8: …"


def named_entries(sentences, asked: set[str], vocabulary: frozenset[str]) -> dict[str, list[int]]:
    """The entries of a list of terms ("Kerngroep: de kleine groep …") that the question
    names, as term -> positions of the whole entry. Empty when no list is a list of at
    least four terms, or when the question names none or more than half of its entries
    (a choice between the options of a short list wants the list)."""
    entries: dict[int, list[tuple[int, str, bool]]] = {}  # list -> (item, its term or "", named)
    for prev, s in zip([None, *sentences], sentences):
        if s.list_no and (prev is None or (prev.list_no, prev.item_no) != (s.list_no, s.item_no)):
            m = ENTRY.match(s.text)  # an entry's first sentence names its term
            # each word of the term by its own index term: "welzijn" does not name "Jongerenwelzijn"
            label = [set(t[:1]) for t in (analyze(w, vocabulary) for w in (words(m.group(1)) if m else [])) if t]
            entries.setdefault(s.list_no, []).append((s.item_no, m.group(1) if m else "",
                                                      bool(label) and all(t & asked for t in label)))
    named: dict[tuple[int, int], str] = {}
    for n, items in entries.items():
        hits = {(n, item): term for item, term, is_named in items if is_named}
        terms = sum(bool(t) for _, t, _ in items)
        if len(items) >= 4 and terms >= 2 / 3 * len(items) and 0 < len(hits) <= len(items) / 2:
            named.update(hits)
    out: dict[str, list[int]] = {}
    for s in sentences:
        if (s.list_no, s.item_no) in named:
            out.setdefault(named[s.list_no, s.item_no], []).append(s.position)
    return out


# -- what a sentence or a section says by itself -----------------------------------------

GUIDE_DOC = "/00-hoe-dit-draaiboek-gebruiken"
# A question about the guidebook itself (its chapters, where to read), which the reading routes answer.
ABOUT_GUIDE = re.compile(r"\b(draaiboek|hoofdstuk\w*|lezen|leesroute|gids|guide|chapters?|read(?:ing)?)\b", re.I)
# A question that asks for a template, where fill-in fields ("[datum]") are the answer.
WANTS_TEMPLATE = re.compile(r"\b(sjablo\w*|template|model\w*|\w*mail|brief|uitnodiging\w*|voorbeeld\w*|invul\w*|\w*nota)\b",
                            re.I)
# A question about the warning signs of a problem; otherwise it wants the remedy.
ASKS_FOR_SIGNS = re.compile(
    r"\b(signal\w*|signa\w*|herken\w*|merk(?:en|t)?|symptom\w*|warning|signs?|tell (?:if|whether)|"
    # "hoe zie ik dat aan onze stuurgroep?", "waaraan zie je het?", "how do I spot it?"
    r"waaraan|(?:hoe )?zie (?:ik|je|we|jij|u)\b[^?.]*\baan|(?:spot|notice) (?:it|that|this|when|whether|if))\b", re.I)
SIGNS_LABEL = re.compile(r"^signalen\b", re.I)
REMEDY = re.compile(r"^(wat in de plaats|remedie|aanpak|wat werkt)\b", re.I)
# A sentence that announces a count of things ("onderscheiden drie basisvormen"): the list after it is the content.
ANNOUNCES = re.compile(r"\b(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|\d+)\s+(?:[\w-]+\s+)?[\w-]+(?:en|s|'s)\b", re.I)
_PLACEHOLDER = re.compile(r"^\[|\[[^\]\d][^\]]*\](?!\()")  # not a Markdown link
_META = re.compile(r"^(dit hoofdstuk|in dit hoofdstuk|dit deel|deze sectie|hieronder|de volgende secties)\b", re.I)


def is_template(section: SectionRecord) -> bool:
    """A template to fill in: a "Sjabloon…" or "Model van…" section, or one full of fill-in fields."""
    fields = len(_PLACEHOLDER.findall(section.text))  # a worked example with a few fields is no template
    return bool(re.match(r"(sjabloon|model van)", section.heading, re.I)) or 0 < fields >= 0.03 * len(section.text.split())


# A list of references ("Referentielijst", a PDF's "References") answers only a question for sources.
_REFERENCE_LIST = re.compile(r"^(?:referentielijst|referenties|bronnen(?:lijst)?|literatuur(?:lijst)?|bibliografie|"
                             r"references|bibliography|literature)\b", re.I)
WANTS_SOURCES = re.compile(r"\b(bron\w*|literatuur\w*|referentie\w*|bibliogra\w*|sources?|references?|literature|"
                           r"reading list|leeslijst)\b", re.I)


def is_reference_list(section: SectionRecord) -> bool:
    """A section that lists references: names and titles, no answer to anything but "which sources?"."""
    return bool(_REFERENCE_LIST.match(section.heading))


# "Hoe je zelf effecten meet, staat in hoofdstuk 8": a sentence that says where the answer is, not what it is.
_POINTER = re.compile(r"^(?!.*\(zie hoofdstuk)[^()]*\b(?:staat|staan|lees je|vind je|beschrijft|behandelt|bespreekt|"
                      r"gaat dieper in|komt aan bod|komen aan bod)\b[^()]*\bhoofdstuk\s+\d+|"
                      r"^hoofdstuk\s+\d+\b.*\b(?:beschrijft|behandelt|bespreekt|gaat)\b", re.I)


def points_elsewhere(sentence: str) -> bool:
    """Whether the sentence only says which chapter holds something."""
    return bool(_POINTER.search(sentence))


def not_an_answer(sentence: str, wants_template: bool = False) -> bool:
    """A sentence that says nothing by itself: a question the text asks ("Geen
    projectvereniging om op te steunen?"), a line about the chapter ("Dit hoofdstuk
    vat samen…"), or a template's fill-in field ("Wanneer: [dag en datum]") unless
    the question asks for a template."""
    text = sentence.strip()
    return text.endswith("?") or bool(_META.match(text)) or (not wants_template and bool(_PLACEHOLDER.search(text)))


def sign_lists(section: SectionRecord) -> set[int]:
    """The numbers of the section's lists announced by "Signalen:" (a pitfall's warning signs)."""
    texts = [s.text for s in section.sentences]
    return {n for n, rows in section.lists().items() if rows[0] > 0 and SIGNS_LABEL.match(texts[rows[0] - 1])}


def table_rows(sentence: str) -> str | None:
    """A Markdown table that sentence splitting flattened into one line ("| a | b | |---|---| | 1 | 2 |"),
    with its rows back on lines of their own; None for any other sentence."""
    text = sentence.strip()
    if not (text.startswith("|") and re.search(r"\|\s*:?-{3,}", text)):
        return None
    return re.sub(r"\|\s+\|(?=\s*(?:[^|\s]|:?-{3}))", "|\n|", text)


def names_again(sentence: str, lead: str, vocabulary: frozenset[str]) -> bool:
    """Whether ``sentence`` points back with "die/deze X" at an X that ``lead`` named ("Zoek naar
    signalen dicht bij huis:" … "Verzamel die signalen in een nota")."""
    named = set(analyze(lead, vocabulary))
    return any(set(analyze(m.group(1), vocabulary)) & named
               for m in re.finditer(r"\b(?:die|deze)\s+([a-zà-ÿ]+)", sentence, re.I))


def bold_label(sentence: str, section_text: str) -> str:
    """A sentence that opens with a bold paragraph label of its section ("**Mandaat.** De kerngroep
    bereidt …") keeps the label bold: in plain text "Mandaat." reads as a stray fragment."""
    m = re.match(r"([^.?!:]{1,60}[.?!:])\s+\S", sentence)
    if m and f"**{m.group(1)}**" in section_text:
        return f"**{m.group(1)}**{sentence[m.end(1):]}"
    return sentence


def unasked(section: SectionRecord, question: str, question_terms: list[str], vocabulary: frozenset[str]) -> bool:
    """A section that adds nothing to an answer unless the question asks for it: a template to
    fill in, or a page of chapter 00 about the draaiboek itself ("Wat het draaiboek niet doet")
    that the question neither asks for nor names, or a list of references."""
    if is_template(section):
        return not WANTS_TEMPLATE.search(question)
    if is_reference_list(section):
        return not WANTS_SOURCES.search(question)
    return (section.doc_id.endswith(GUIDE_DOC) and not ABOUT_GUIDE.search(question)
            and not set(question_terms) & set(analyze(section.heading, vocabulary)))


MAX_LOOKBACK = 2  # how far back a leaning sentence may look for one that stands


def with_predecessors(scored: list, positions: list[int]) -> list[int]:
    """Positions plus the sentences they lean on; a sentence whose predecessor
    cannot be found within reach (or among those already kept) is dropped."""
    keep: set[int] = set()
    for p in sorted(set(positions)):
        chain = [p]
        while (leans_in_place(scored, chain[-1]) and chain[-1] - 1 not in keep and len(chain) <= MAX_LOOKBACK
               and chain[-1] > 0):
            chain.append(chain[-1] - 1)
        if leans_in_place(scored, chain[-1]) and chain[-1] - 1 not in keep:
            continue  # nothing it can stand on
        keep.update(chain)
    return sorted(keep)


def leans_in_place(scored: list, p: int) -> bool:
    """Whether sentence ``p`` of a section's scored sentences needs its predecessor; the
    first sentence of a list item never does (items are parallel), and it can never lean
    on another item."""
    s = scored[p]
    if s.item_no and (p == 0 or scored[p - 1].item_no != s.item_no):
        return False
    return leans_on_previous(s.text)

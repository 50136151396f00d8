"""The refusal evidence: what a question asks for, and whether the sections hold it."""

from __future__ import annotations

import pytest

from assistant.answer.relevance import (ABOUT_TOOL, ASKS_CURRENT, ASKS_VALUE, Relevance, asked_part, asks_current,
                                        _missing_specifics,
                                        _unknown_share, _unread, specifics)
from assistant.retrieval.query import prepare
from assistant.text import analyze, vocabulary_of
from assistant.settings import REFUSAL_FEATURES, AnswerSettings, SettingsError, load_settings


def test_every_weighable_name_is_evidence_a_relevance_carries():
    assert set(Relevance(0.9, 0.9, 0.5, 0.5).features()) == set(REFUSAL_FEATURES)


def test_the_score_is_the_weighted_evidence_plus_the_bias():
    rel = Relevance(dense=0.85, anchor=0.9, coverage=0.5, best_passage=0.4, outside=0.8, unknown=0.25)
    cfg = AnswerSettings(refusal_weights={"bias": -1.0, "margin": 10.0, "unknown": -2.0})
    assert rel.combine(cfg) == pytest.approx(-1.0 + 10.0 * (0.9 - 0.8) - 2.0 * 0.25)


def test_an_unknown_weight_name_is_a_clear_settings_error(monkeypatch):
    monkeypatch.setenv("ALLIANTIEWIJZER_ANSWER__REFUSAL_WEIGHTS", '{"ankers": 1.0}')
    with pytest.raises(SettingsError, match="ankers"):
        load_settings()


@pytest.mark.parametrize("question", [
    "Hoeveel heeft de stad Lier in 2022 aan STEM uitgegeven?",
    "wie is de voorzitter van de stuurgroep?",
    "tot wanneer kan ik indienen?",
    "How much does a coordinator cost?",
    "wat is het telefoonnummer van het RTC?",
    "What share of Flemish graduates earned a STEM degree in 2024?",
    "welk aandeel van de diploma's is een STEM-diploma?",
])
def test_questions_asking_for_one_value(question):
    assert ASKS_VALUE.search(question)


@pytest.mark.parametrize("question", [
    "hoe starten we een STEM-alliantie?",
    "waarom is een vaste regio belangrijk?",
    "wat doet een kerngroep?",
])
def test_questions_asking_how_or_why_do_not_ask_for_a_value(question):
    assert not ASKS_VALUE.search(question)


def test_questions_about_the_present():
    assert ASKS_CURRENT.search("wie is de huidige minister van Onderwijs?")
    assert ASKS_CURRENT.search("Which calls are open right now?")
    assert not ASKS_CURRENT.search("hoe houden we de partners aan boord?")
    assert ASKS_CURRENT.search("Wanneer sluit de volgende VLAIO-oproep, is dat deze maand nog?")
    assert not ASKS_CURRENT.search("hoe lang loopt een VLAIO-project meestal?")
    # the call named between "volgende" and "oproep", and the one deadline that is open now
    assert ASKS_CURRENT.search("wanneer is de deadline van de volgende VLAIO-oproep voor STEM-academies?")
    assert ASKS_CURRENT.search("When is the next VLAIO call?")
    assert ASKS_CURRENT.search("How many pupils took part last school year?")  # as "vorig schooljaar"
    assert ASKS_CURRENT.search("Geef me de cijfers van dit schooljaar: hoeveel procent koos STEM?")
    # contact details: the draaiboek names roles on purpose, never a person's number
    assert ASKS_CURRENT.search("Wie bel ik bij VLAIO? Heb je een gsm-nummer of mailadres?")
    assert ASKS_CURRENT.search("What is the phone number of the RTC in Antwerp?")
    assert not ASKS_CURRENT.search("Wie contacteer ik bij VLAIO over een STEM-academie?")
    assert not ASKS_CURRENT.search("wanneer vallen de deadlines van de VLAIO-oproepen meestal?")


@pytest.mark.parametrize("question", [
    "Wat moeten we nu al regelen als de alliantie volgend jaar moet draaien?",
    "If we want to launch next year, when should the council decide?",
    "Welke stappen zetten we dit jaar nog om volgend jaar te kunnen starten?",
    "Our grant ends next year, how do we keep going?",
])
def test_a_period_in_the_users_own_plans_is_not_a_question_about_the_present(question):
    assert ASKS_CURRENT.search(question) and not asks_current(question)


@pytest.mark.parametrize("question", [
    "tot wanneer kunnen we dit jaar nog indienen bij VLAIO?",  # a value, though the user plans
    "Is Umicore planning to invest in schools next year, and will they take our pupils as interns?",
    "Which school won this year's STEM prize?",
    "wie is momenteel schepen van onderwijs in Geel?",
    "Wie bel ik bij VLAIO? Heb je een gsm-nummer?",
])
def test_questions_about_the_present_whoever_asks(question):
    assert asks_current(question)


@pytest.mark.parametrize("question, current", [
    # how to sign up for an event, a camp or a school: details a guide written once does not hold
    ("Wanneer is het volgende STEM-congres en hoe kan ik me inschrijven?", True),
    ("welke STEM-kampen zijn er in de paasvakantie en hoe schrijf ik mijn zoon in?", True),
    ("Where do I register for the STEM fair in Hasselt?", False),  # no "how": not asked for a procedure
    ("How do I sign up for the robotics workshop?", True),
    # writing something in(to) a plan or a mail is not signing up
    ("hoe schrijf ik onze STEM-samenwerking in de beleids- en beheerscyclus in?", False),
    ("wat schrijf ik in die eerste uitnodigingsmail aan de scholen?", False),
    ("hoeveel moet ik inschrijven in het meerjarenplan?", False),
])
def test_asking_how_to_sign_up_is_a_question_about_the_present(question, current):
    assert asks_current(question) is current


def test_only_the_sentences_that_ask_count_as_the_question():
    context = "We deden vorig jaar een STEM-dag met drie scholen. Hoe houden we die partners nu warm?"
    assert asked_part(context) == " Hoe houden we die partners nu warm?"
    assert not ASKS_CURRENT.search(asked_part(context))
    assert ASKS_CURRENT.search(asked_part("Ik zoek een cijfer. Hoeveel kreeg Neteland dit jaar?"))
    assert asked_part("valkuilen bij de opstart") == "valkuilen bij de opstart"


def test_specifics_are_years_and_names_but_not_the_opening_word_or_stem():
    assert specifics("Hoeveel STEM-academies erkende Vlaanderen in 2020?") == {"vlaanderen", "2020"}
    assert specifics("hoeveel heeft VLAIO uitgegeven?") == {"vlaio"}
    assert specifics("hoe begin ik?") == set()


def test_a_value_question_is_held_only_by_one_sentence_with_its_year_and_name():
    sentences = ["In 2020 erkende Vlaanderen 23 STEM-academies.", "Genk heeft een STEM-academie."]
    assert _missing_specifics("Hoeveel academies erkende Vlaanderen in 2020?", sentences) == 0.0
    # Genk and 2020 occur, but never in one sentence: half of what is asked is missing
    assert _missing_specifics("Hoeveel gaf Genk uit in 2020?", sentences) == 0.5
    assert _missing_specifics("Hoeveel gaf Mol uit in 2025?", sentences) == 1.0


def test_a_misspelt_name_counts_as_the_name_it_was_corrected_to():
    sentences = ["Lieven Janssens begon als leerkracht in Vorselaar."]
    assert _missing_specifics("Wie is Lieven Jansens?", sentences) == 0.5
    assert _missing_specifics("Wie is Lieven Jansens?", sentences, corrections={"jansens": "janssens"}) == 0.0


def test_a_year_is_held_only_by_a_sentence_that_is_about_the_question():
    sentences = ["Op 16 mei 2024 hield STEM Neteland een studievoormiddag.",
                 "In 2018 was 19 procent van de diploma's een STEM-diploma."]
    topical = [{"diploma"}, {"afgestudeerd"}]  # the question's terms that are not everywhere
    assert _missing_specifics("What share of graduates earned a degree in 2024?", sentences, {}, frozenset(),
                              topical) == 1.0
    assert _missing_specifics("What share of diplomas was STEM in 2018?", sentences, {}, frozenset(), topical) == 0.0
    assert _missing_specifics("What happened in 2024?", sentences) == 0.0  # nothing topical: the year alone


def test_a_value_question_about_a_name_needs_the_name_and_its_rare_words_in_one_sentence():
    question = "Welke bedrijven in de Kempen zoeken ingenieurs?"
    rare = {"kempen": {"kemp"}, "ingenieurs": {"ingenieur"}}
    assert _missing_specifics(question, ["Voka Kempen verenigt de bedrijven van de regio.",
                                         "Bedrijven zoeken ingenieurs."], rare) == 0.5
    assert _missing_specifics(question, ["In de Kempen zoeken bedrijven vooral ingenieurs."], rare) == 0.0
    # without a year or a name the question is not about one specific thing
    assert _missing_specifics("hoeveel kost een halftijdse netwerkcoördinator?", [], {"netwerkcoordinator": {"x"}}) == 0.0


def test_a_document_without_anchor_questions_counts_with_its_closest_passage():
    # a user's PDF has no anchor questions: its passages stand in for them
    assert Relevance(dense=0.9, anchor=0.0, coverage=0.5, best_passage=0.5).closest == pytest.approx(0.93)
    assert Relevance(dense=0.8, anchor=0.95, coverage=0.5, best_passage=0.5).closest == pytest.approx(0.95)


@pytest.mark.parametrize("question, language, unread", [
    ("Write a shell command that shows the largest directories on a disk.", "en", 1.0),
    ("Can the council fund a STEM alliance?", "en", 0.0),  # glossary words
    ("Which project in 2024?", "en", 0.0),  # a word the draaiboek uses as it is
    ("Schrijf een shellcommando voor de grootste mappen.", "nl", 0.0),  # Dutch: the unknown share says it
])
def test_an_english_question_without_one_word_the_product_reads(question, language, unread):
    vocab = vocabulary_of(["het project van de gemeente en de alliantie in 2024"])
    assert _unread(prepare(question, language, vocab, None), vocab) == unread


def test_a_compound_known_only_through_its_parts_counts_as_unknown():
    # "eindtermen" is not about "eind" or "term": its parts find passages, its meaning is its own
    texts = ["Aan het eind van elke term kiest de stuurgroep een partner.", "De gemeente betaalt."]
    vocab = vocabulary_of(texts)
    known = {t for text in texts for t in analyze(text, vocab)}
    compound = prepare("welke eindtermen kiest de stuurgroep?", "nl", vocab, None, None, known)
    assert [w.by_parts for w in compound.words] == [True, False, False]
    assert 0 < _unknown_share(compound) < 1
    assert _unknown_share(prepare("welke partner kiest de stuurgroep?", "nl", vocab, None, None, known)) == 0.0


def test_a_question_about_what_the_guide_can_do_is_not_about_the_present():
    # "right now" asks about today, but the question is what this guide covers: chapter 00 answers it
    assert ABOUT_TOOL.search("Can I use this guide to find out which calls are open right now?")
    assert ABOUT_TOOL.search("Kan de Alliantiewijzer me zeggen welke oproepen nu lopen?")
    assert not ABOUT_TOOL.search("Which calls are open right now?")

import pytest

from assistant.answer.coherence import ASKS_FOR_SIGNS, leans_on_previous, points_elsewhere
from assistant.retrieval.query import prepare, to_dutch
from assistant.text import analyze, split_compound, split_sentences, stem, vocabulary_of


def test_dutch_porter_stemming_joins_plural_and_singular():
    assert stem("samenwerkingen") == stem("samenwerking")
    assert stem("bedrijven") == stem("bedrijf")
    assert stem("gemeenten") == stem("gemeente") != "meen"  # not Kraaij-Pohlmann


def test_analysis_folds_accents_and_ligatures_and_drops_stopwords():
    assert analyze("Coördinatie van de ﬁnanciering") == analyze("coordinatie financiering")
    assert "de" not in analyze("de gemeente en het bestuur")


def test_compounds_split_against_the_vocabulary():
    vocab = vocabulary_of(["samenwerking verband academie stem"])
    assert split_compound("samenwerkingsverband", vocab) == ["samenwerking", "verband"]
    assert stem("academie") in analyze("STEM-academies", vocab)
    assert split_compound("onderwijs", vocab) == []


def test_sentences_respect_abbreviations_and_lists():
    text = "Prof. Provan schreef o.a. over netwerken. Dat is nuttig!\n\n1. Eerste stap.\n2. Tweede stap."
    assert split_sentences(text) == [
        "Prof. Provan schreef o.a. over netwerken.", "Dat is nuttig!", "Eerste stap.", "Tweede stap.",
    ]



def test_initials_and_a_link_s_text_do_not_end_a_sentence():
    text = ("De W.K. Kellogg Foundation gebruikt het logisch model ([W.K. Kellogg Foundation, 2004](https://x.org)). "
            "Zo wordt het een meetplan. Zie ook [hoofdstuk 5. Governance](#h5) voor de rollen.")
    assert split_sentences(text) == [
        "De W.K. Kellogg Foundation gebruikt het logisch model ([W.K. Kellogg Foundation, 2004](https://x.org)).",
        "Zo wordt het een meetplan.", "Zie ook [hoofdstuk 5. Governance](#h5) voor de rollen."]


@pytest.mark.parametrize("sentence, leans", [
    ("Ze beschrijven drie basisvormen.", True),
    ("Daarmee werd de gemeente een vaste partner.", True),
    ("Een tweede valkuil is de trekker.", True),
    ("Het risico:", True),
    ("Het loont dus om klein te starten.", True),  # a conclusion from the sentence before
    ("Een alliantie heeft daarom tijd nodig.", True),
    ("Scholen, hogescholen en bedrijven verbind je dus op een andere manier aan de alliantie.", True),
    ("Een bijdrage aan een alliantie die haar eigen programma draait, leunt dus aan bij een subsidie.", True),
    ("Een bijdrage aan een alliantie die haar eigen programma draait, is een subsidie.", False),
    ("In dit overleg beslist de stuurgroep over het budget.", True),  # which overleg?
    ("Loopt een netwerk slecht, dan past de vorm niet meer bij die werkelijkheid.", True),  # which one?
    ("Toen VLAIO de verdeling herzag, zakte het aantal sessies van acht naar zes.", True),  # whose sessions?
    ("Bereid een opvolger voor, lang voor die nodig is.", False),  # a relative "die"
    ("Dat Neteland vijf gemeenten telt, helpt.", False),
    ("In dit hoofdstuk lees je hoe je start.", False),
    ("Dit sjabloon volgt op het collegebesluit.", False),  # the section itself, like "dit hoofdstuk"
    ("Met deze nota vraag je het college een principiële beslissing.", False),
    ("Bij de start kies je een trekker.", False),
    ("Een kerngroep telt vijf tot acht mensen.", False),
    ("Onderzoekers zagen dat zulke onbedoelde neveneffecten de doelen overschaduwen.", True),
    ("Een alliantie is een organisatienetwerk, en men weet hoe zulke netwerken werken.", False),
    ("De ene oproep steunde academies, de andere nieuwe workshops.", True),
    ("De eerste oproep steunde academies.", False),
    ("Een schepen uit Olen vertelde iets gelijkaardigs over de Kempen.", True),
    ("Vier daarvan gaan over werk, gezin, welzijn en opvang.", True),  # four of what?
    ("Eén daarvan is de bibliotheek.", True),
    ("Vier gemeenten doen mee.", False),
    ("Wie die vraag niet kan beantwoorden, organiseert vooral inertie.", True),  # which question?
    ("Wie die nodig heeft, vraagt het aan.", False),
    ("Bij STEM Neteland is het antwoord de combinatie van alle scholen.", True),  # the answer to what?
    ("Het antwoord op die vraag staat in het convenant.", True),
    ("Het antwoord op de vraag van de raad staat in het convenant.", False),
    ("Zijn raad: begin klein en zichtbaar.", True),  # whose advice?
    ("Zijn er al scholen die meedoen?", False),
    ("Houd hem op de hoogte van elke stap.", True),
    ("Ten eerste meet ze het bereik per leerjaar.", True),
    ("Welk van de twee klopt, is onduidelijk.", True),  # which two?
    ("Welke van de vier fasen past bij ons?", False),
    ("Ten eerste meten de scholen het bereik.", False),
    ("De eerste is de inhoud: bedrijven leveren kennis.", True),  # the first of what?
    ("De eerste stap is een overzicht.", False),
    ("Het huidige plan loopt daarom van 2026 tot en met 2031.", True),  # why?
    ("Het lespakket van november 2025 illustreert dat: negen workshops.", True),  # illustrates what?
    ("De cijfers tonen dat de helft afhaakt.", False),
])
def test_sentences_that_lean_on_their_predecessor(sentence, leans):
    assert leans_on_previous(sentence) is leans


def test_english_terms_of_two_words_are_read_as_the_dutch_term():
    vocab = vocabulary_of(["de kerngroep en de stuurgroep van de alliantie"])
    query = prepare("Who chairs the core group and the steering committee?", "en", vocab, None)
    asked = {w.word: w.terms for w in query.words}
    assert stem("kerngroep") in asked["core group"] and stem("stuurgroep") in asked["steering committee"]
    assert not {"core", "group", "steering", "committee"} & set(asked)
    assert to_dutch("the core group") == "kerngroep"
    abroad = prepare("Are there examples abroad?", "en", vocabulary_of(["voorbeelden uit het buitenland"]), None)
    assert stem("buitenland") in {t for w in abroad.words for t in w.terms}


@pytest.mark.parametrize("sentence, elsewhere", [
    ("Hoe je zelf effecten meet, staat in hoofdstuk 8 (Impact meten).", True),
    ("Hoofdstuk 6 (Financiering) bespreekt wat dat betekent voor financiers.", True),
    ("Hoe zo'n groei eruitziet, beschrijft hoofdstuk 5; hier gaat het om wat misloopt.", True),
    ("Begin klein en bouw vertrouwen op (zie hoofdstuk 5).", False),  # an answer with a pointer beside it
    ("Een kerngroep telt vijf tot acht mensen.", False),
])
def test_sentences_that_only_say_where_the_answer_is(sentence, elsewhere):
    assert points_elsewhere(sentence) is elsewhere


def test_a_paragraph_label_stays_bold_and_only_a_label_of_the_section_does():
    from assistant.answer.coherence import bold_label

    section = "Inleiding.\n\n**Mandaat.** De kerngroep bereidt de beslissingen voor. Ze plant."
    assert bold_label("Mandaat. De kerngroep bereidt de beslissingen voor.", section) == (
        "**Mandaat.** De kerngroep bereidt de beslissingen voor.")
    assert bold_label("Inleiding. Een zin.", section) == "Inleiding. Een zin."  # not bold in the section
    assert bold_label("Ze plant.", section) == "Ze plant."


@pytest.mark.parametrize("question, asks", [
    ("hoe zie ik dat aan onze eigen stuurgroep?", True),
    ("waaraan merk je dat een netwerk op één persoon rust?", True),
    ("How do I spot that we rely on one funder?", True),
    ("wat zie je in Neteland?", False),
    ("zie je dat aankomen?", False),
    ("What notice period applies when a partner leaves?", False),
    ("Is the town hall a good spot for the first meeting?", False),
])
def test_questions_that_ask_how_to_recognise_something(question, asks):
    assert bool(ASKS_FOR_SIGNS.search(question)) is asks

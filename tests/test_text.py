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

"""The query adapter: fitted for one model, it reorders the dense and anchor rankings
and leaves the model's own cosines (which the refusal reads) as they are."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index.embeddings import E5_MODEL_ID
from assistant.retrieval import adapter as adapter_module
from assistant.retrieval.adapter import QueryAdapter, fit_matrix, load_adapter, save_adapter
from assistant.retrieval.search import Retriever

# Questions of our own (from earlier blind readings, in none of the question sets), with
# the section that answers each.
OWN_QUESTIONS = [
    ("Onze STEM-trekker gaat volgend jaar met pensioen en alle contacten zitten in zijn mailbox. Wat nu?",
     "Een netwerk dat op één trekker rust"),
    ("Onze trekker wil als eerste stap een logo en een website laten ontwerpen, nog voor er één activiteit "
     "gepland is. Goed idee?", "Te vroeg overstructureren"),
    ("waar zet ik de bib en de jeugdienst op de partnerkaart? die passen toch in geen van de vier O's",
     "Welzijn, vrije tijd, bib en buitenschoolse opvang als STEM-partners"),
    ("Een groot chemiebedrijf biedt aan om het volledige loon van onze coördinator te betalen. Zijn daar "
     "risico's aan?", "Afhankelijk worden van projectsubsidies"),
    ("Which three pillars does the European STEM education plan rest on?",
     "Het EU STEM Education Strategic Plan van 2025"),
    ("Hoe verzeker ik vrijwilligers die een workshop begeleiden?", "Vervoer en verzekering"),
    ("Mag ik foto's van leerlingen op onze website zetten na een workshop?", "Leerlingengegevens en de AVG"),
    ("Hoe lang duurde het voor Neteland echt draaide?", "Tijd nemen: een alliantie groeit over jaren"),
    ("Wat zet ik op de agenda van de allereerste bijeenkomst met de partners?", "Agenda van een eerste partneroverleg"),
]


def test_an_adapter_reorders_but_reports_the_models_own_cosines(small_index, embeddings):
    r = Retriever(small_index, embeddings)
    question = "Hoe financieren we de coördinator?"
    vector = r.embed_query(question)
    r.adapter = None
    plain = dict(r.dense_ranking(vector, 100))
    plain_best = r.retrieve(question, query_vector=vector).best_dense
    scramble = np.random.default_rng(0).normal(size=(len(vector), len(vector))).astype(np.float32)
    r.adapter = QueryAdapter(scramble, embeddings.model_id)
    mapped = r.dense_ranking(vector, 100)
    assert [cid for cid, _ in mapped] != sorted(plain, key=plain.get, reverse=True), "the order is the adapter's"
    assert {cid: pytest.approx(plain[cid], abs=1e-4) for cid, _ in mapped} == dict(mapped), "the cosines the model's"
    assert r.retrieve(question, query_vector=vector).best_dense == pytest.approx(plain_best, abs=1e-4)


def test_an_adapter_belongs_to_one_model(tmp_path, monkeypatch):
    monkeypatch.setattr(adapter_module, "ADAPTER_DIR", tmp_path)
    matrix = np.eye(8, dtype=np.float32) + 0.01
    save_adapter(matrix, "model-a (q4)", fitted="2026-12-01")
    loaded = load_adapter("model-a (q4)")
    assert loaded is not None and np.allclose(loaded.matrix, matrix, atol=1e-3)
    assert load_adapter("model-b") is None
    save_adapter(np.ones((8, 4)), "model-c")
    assert load_adapter("model-c") is None, "only a square matrix maps a vector into the same space"


def test_the_shipped_adapter_is_for_the_default_model_only(small_index, embeddings):
    shipped = load_adapter(E5_MODEL_ID)
    assert shipped is not None and shipped.matrix.shape == (384, 384)
    assert load_adapter("sentence-transformers/all-MiniLM-L6-v2") is None
    assert Retriever(small_index, embeddings).adapter is not None
    switched_off = small_index.model_copy(deep=True)
    switched_off.retrieval.query_adapter = False
    assert Retriever(switched_off, embeddings).adapter is None, "the setting switches it off"


@pytest.mark.slow
def test_fitting_brings_each_question_to_its_own_section():
    rng = np.random.default_rng(1)
    sections = np.repeat(np.arange(12), 3)
    passages = rng.normal(size=(len(sections), 24)).astype(np.float32)
    passages /= np.linalg.norm(passages, axis=1, keepdims=True)
    turn, _ = np.linalg.qr(rng.normal(size=(24, 24)))  # questions sit turned away from their passages
    owners = np.repeat(np.arange(12), 4)
    questions = np.vstack([passages[sections == s].mean(0) for s in owners]) @ turn.T.astype(np.float32)
    questions += 0.05 * rng.normal(size=questions.shape).astype(np.float32)

    def accuracy(matrix: np.ndarray) -> float:
        nearest = (QueryAdapter(matrix, "m").apply(questions) @ passages.T).argmax(1)
        return float((sections[nearest] == owners).mean())

    before = accuracy(np.eye(24, dtype=np.float32))
    after = accuracy(fit_matrix(questions, owners, passages, sections))
    assert before < 0.5 and after > before + 0.3


def test_the_shipped_adapter_brings_our_own_questions_nearer_their_section(draaiboek_index, embeddings):
    r = Retriever(draaiboek_index, embeddings)

    def mrr() -> float:
        total = 0.0
        for question, heading in OWN_QUESTIONS:
            ranked = [h.section.heading for h in r.retrieve(question, k=10).hits]
            total += next((1 / (i + 1) for i, h in enumerate(ranked) if h.startswith(heading)), 0.0)
        return total / len(OWN_QUESTIONS)

    adapted = mrr()
    question = OWN_QUESTIONS[0][0]
    vector = r.embed_query(r.prepare(question).search_text)
    anchors, _ = r.snapshot.anchors()
    raw_best = float((np.asarray(anchors, dtype=np.float32) @ vector).max())
    assert r.retrieve(question, query_vector=vector).best_anchor == pytest.approx(raw_best, abs=1e-4)
    r.adapter = None
    assert adapted > mrr()

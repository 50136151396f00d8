"""Hybrid retrieval on the small real corpus."""

from __future__ import annotations

import numpy as np

from assistant.retrieval.search import Retriever
from assistant.text import analyze


def test_bm25_stemming_finds_singular_from_plural(small_index, embeddings):
    r = Retriever(small_index, embeddings)
    ranked = [cid for cid, _ in r.bm25_ranking("samenwerkingen", 10)]
    texts = [r.snapshot.chunks[cid].text for cid in ranked]
    assert texts and all("samenwerking" in t.lower() for t in texts)


def test_hybrid_search_returns_sourced_passages(small_index, embeddings):
    hits = Retriever(small_index, embeddings).search("Wie zit er in de kerngroep?", k=3)
    best = hits[0]
    assert best.section == "Een kerngroep samenstellen"
    assert best.title == "Governance van een netwerk" and best.source.endswith("governance.md")
    assert best.scores.dense > 0 and best.scores.bm25 > 0 and best.scores.dense_rank == 1
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_pdf_passages_keep_their_page(small_index, embeddings):
    hits = Retriever(small_index, embeddings).search("één aanspreekpunt STEM-coördinator", k=1)
    assert hits[0].doc_id == "advies" and hits[0].page == 2


def test_zero_score_bm25_results_earn_no_fusion_credit(small_index, embeddings):
    r = Retriever(small_index, embeddings)
    assert r.bm25_ranking("xyzzy onbestaandwoord", 10) == []


def test_near_duplicates_are_removed(small_index, embeddings):
    from assistant.retrieval.search import _near_duplicate

    a = "De kerngroep komt maandelijks samen en bereidt de beslissingen van de stuurgroep voor."
    assert _near_duplicate(a, a + " Zeker.", 0.9)
    assert not _near_duplicate(a, "Bedrijven dragen bij met geld en vrijwilligers.", 0.9)


def test_langchain_retriever_interface(small_index, embeddings):
    docs = Retriever(small_index, embeddings).as_langchain().invoke("meerjarenplan budget coördinator")
    assert docs[0].metadata["section"] == "Het meerjarenplan" and docs[0].id


def test_one_passage_per_section_and_sections_are_ranked(small_index, embeddings):
    result = Retriever(small_index, embeddings).retrieve("Hoe financieren we de coördinator?", k=5)
    ids = [h.section.id for h in result.hits]
    assert len(ids) == len(set(ids)), "each section appears once"
    assert all(h.chunk.section_id == h.section.id for h in result.hits)
    assert result.hits[0].section.heading == "Het meerjarenplan"


def test_anchor_questions_lead_to_their_section(tmp_path, embeddings):
    from assistant.ingest.ingestor import Ingestor

    from tests.conftest import make_settings, write_corpus

    text = """---
title: Gids
vragen:
  "Rollen":
    - Wie doet wat in het netwerk?
    - Welke taken heeft de coördinator?
    - Wat is de rol van de schepen?
---
# Gids

## Rollen
De coördinator bereidt de vergaderingen voor en houdt de afspraken bij. De schepen zit de stuurgroep voor.

## Weer
Het regent vaak in november en de wind komt meestal uit het westen.
"""
    settings = make_settings(tmp_path)
    write_corpus(tmp_path / "corpus", {"gids.md": text})
    report = Ingestor(settings, embeddings).run(show_progress=False)
    assert report.questions_embedded == 3
    r = Retriever(settings, embeddings)
    vector = r.embed_query("Welke taken heeft de coördinator?")
    ranking = r.anchor_ranking(vector, 5)
    assert r.snapshot.sections[ranking[0][0]].heading == "Rollen" and ranking[0][1] > 0.95
    section = r.snapshot.find_section("gids", "Rollen")
    assert section.questions[1] == "Welke taken heeft de coördinator?"
    assert "Welke taken" not in section.text, "anchor questions stay out of the reading text"
    # the anchor questions' own words find their section too, where the reading text has other words
    words = r.anchor_bm25_ranking("wat is de taak van de schepen", 5)
    assert [r.snapshot.sections[sid].heading for sid, _ in words] == ["Rollen"]
    assert r.anchor_bm25_ranking("regen in november", 5) == []  # words of the text, not of a question
    # a word users ask with is a word of the domain, even where the text says it otherwise
    [term] = analyze("taken", r.snapshot.vocabulary)
    assert term not in r.snapshot.df and term in r.snapshot.known_terms
    assert not r.prepare("welke taken zijn er?").unknown


def test_questions_asked_while_an_ingest_flips_the_index_each_see_one_snapshot(tmp_path, embeddings):
    import threading

    from assistant.answer.assistant import Assistant
    from assistant.ingest.ingestor import Ingestor

    from .conftest import SMALL_CORPUS, make_settings, write_corpus

    corpus = write_corpus(tmp_path / "corpus", SMALL_CORPUS)
    settings = make_settings(tmp_path)
    Ingestor(settings, embeddings).run(show_progress=False)
    assistant = Assistant(settings, Retriever(settings, embeddings))
    snapshots_seen, errors, done = set(), [], threading.Event()
    real_retrieve = assistant.retriever.retrieve

    def recording_retrieve(*args, **kwargs):
        result = real_retrieve(*args, **kwargs)
        snapshots_seen.add(result.snapshot.path)
        for hit in result.hits:  # every hit resolves in the snapshot it was read from
            assert result.snapshot.section_of(hit.chunk.id) is hit.section
        return result

    assistant.retriever.retrieve = recording_retrieve

    def flip():
        try:
            for i in range(5):
                (corpus / "gids" / "extra.md").write_text(
                    f"# Extra {i}\n\n## Kerngroep {i}\nDe kerngroep vergadert versie {i} op dinsdag.\n", encoding="utf-8")
                Ingestor(settings, embeddings).run(show_progress=False)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    flipper = threading.Thread(target=flip)
    flipper.start()
    asked = 0
    while not done.is_set() or asked < 5:
        try:
            answer = assistant.ask("Wie zit er in de kerngroep?")
            assert set(c.chunk_id for c in answer.citations) <= set(answer.retrieved_ids)
        except Exception as exc:
            errors.append(exc)
        asked += 1
    flipper.join()
    assert not errors, errors[:3]
    assert len(snapshots_seen) >= 2, "the questions ran across at least one flip"


def test_a_question_and_its_parts_embed_side_by_side_to_the_same_vectors(small_index, embeddings):
    r = Retriever(small_index, embeddings)
    texts = ["Wie zit er in de kerngroep?", "Hoe financieren we de coördinator?", "Wat kost een workshop?"]
    together = r.embed_queries(texts)
    assert len(together) == 3
    for text, vector in zip(texts, together):
        np.testing.assert_allclose(vector, r.embed_query(text), atol=1e-6)


def test_the_dense_ranking_is_the_exact_one(draaiboek_index, embeddings):
    """Chroma's HNSW search with its default candidate list (ef 100) missed passages of the exact
    top 40 and did not always return the same list twice; with ``store.search_ef`` it is exact."""
    from assistant.index.snapshot import make_vector_store

    r = Retriever(draaiboek_index, embeddings)
    assert r.store.collection.configuration_json["hnsw"]["ef_search"] == draaiboek_index.store.search_ef
    stored = r.store.collection.get(include=["embeddings"])
    vectors = np.asarray(stored["embeddings"], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    row = {cid: i for i, cid in enumerate(stored["ids"])}
    questions, _ = r.snapshot.anchors()
    for query in questions[::25]:  # 46 questions users might ask, in the index's own vectors
        sims = vectors @ query
        found = [row[cid] for cid, _ in r.store.search(query, 40)]
        assert set(found) == set(np.argsort(-sims)[:40]), "the 40 nearest passages"
        assert np.all(np.diff(sims[found]) <= 1e-6), "best first (ties within float precision aside)"
    # an index made before the setting (or with another value) gets it when it is opened
    other = draaiboek_index.model_copy(deep=True)
    other.store.search_ef = 123
    signature = r.snapshot.signature
    assert make_vector_store(other, signature).collection.configuration_json["hnsw"]["ef_search"] == 123
    reopened = make_vector_store(draaiboek_index, signature).collection
    assert reopened.configuration_json["hnsw"]["ef_search"] == draaiboek_index.store.search_ef

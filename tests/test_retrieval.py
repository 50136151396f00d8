"""Hybrid retrieval on the small real corpus."""

from __future__ import annotations

from assistant.retrieval import Retriever


def test_bm25_stemming_finds_singular_from_plural(small_index, embeddings):
    r = Retriever(small_index, embeddings)
    ranked = [cid for cid, _ in r.bm25_ranking("samenwerkingen", 10)]
    texts = [r.snapshot.records[cid]["text"] for cid in ranked]
    assert texts and all("samenwerking" in t.lower() for t in texts)


def test_hybrid_search_returns_sourced_passages(small_index, embeddings):
    hits = Retriever(small_index, embeddings).search("Wie zit er in de kerngroep?", k=3)
    best = hits[0]
    assert best.section == "Een kerngroep samenstellen"
    assert best.title == "Governance van een netwerk" and best.source.endswith("governance.md")
    assert best.extra["dense"] > 0 and best.extra["bm25"] > 0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_pdf_passages_keep_their_page(small_index, embeddings):
    hits = Retriever(small_index, embeddings).search("één aanspreekpunt STEM-coördinator", k=1)
    assert hits[0].doc_id == "advies" and hits[0].page == 2


def test_zero_score_bm25_results_earn_no_fusion_credit(small_index, embeddings):
    r = Retriever(small_index, embeddings)
    assert r.bm25_ranking("xyzzy onbestaandwoord", 10) == []


def test_near_duplicates_are_removed(small_index, embeddings):
    from assistant.retrieval import _near_duplicate

    a = "De kerngroep komt maandelijks samen en bereidt de beslissingen van de stuurgroep voor."
    assert _near_duplicate(a, a + " Zeker.", 0.9)
    assert not _near_duplicate(a, "Bedrijven dragen bij met geld en vrijwilligers.", 0.9)


def test_langchain_retriever_interface(small_index, embeddings):
    docs = Retriever(small_index, embeddings).as_langchain().invoke("meerjarenplan budget coördinator")
    assert docs[0].metadata["section"] == "Het meerjarenplan" and docs[0].id

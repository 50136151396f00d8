"""The running app over HTTP: `/ask`, `/chat`, and 20 concurrent sessions."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from bs4 import BeautifulSoup
from gradio_client import Client

from assistant.answer.prompts import SENTINEL
from assistant.types import Citation

pytest_plugins = ["tests.apprunner"]
pytestmark = pytest.mark.server

CITATION_FIELDS = {f.name for f in dataclasses.fields(Citation)}

IN_SCOPE = [
    "Wat is een projectvereniging?",
    "Hoe begin ik als kleine gemeente aan een STEM-alliantie?",
    "Welke partners brengen we best eerst samen?",
    "Hoe financieren we een STEM-alliantie op lange termijn?",
    "Hoe verankeren we STEM in het meerjarenplan?",
    "Welke vormen van netwerkgovernance onderscheiden Provan en Kenis?",
    "Wat is collective impact en wat is de kritiek erop?",
    "Wat doet de kerngroep van een STEM-alliantie?",
    "Hoeveel scholen zitten er in het scholenplatform van Neteland?",
    "Wanneer vond het STEM-congres in Vorselaar plaats?",
    "Wat is een STEM-academie?",
    "Hoe meten we de impact van de alliantie?",
    "Wat is het 4O-model?",
    "Welke valkuilen moet een STEM-alliantie vermijden?",
    "Hoe bouwen we vertrouwen tussen de partners?",
    "Wat doet de STEM-coördinator?",
    "Hoe bouw ik stap voor stap een indicatorenset op?",
    "Welke subsidies bestaan er voor STEM-partnerschappen?",
    "Wat zijn STEM Learning Ecosystems?",
    "Hoe borgen we de alliantie na de projectsubsidie?",
    "Wat doet de stuurgroep van een STEM-alliantie?",
    "Wat is een veranderingstheorie?",
    "Hoe betrekken we bedrijven bij het STEM-aanbod?",
    "Wat is een doorlopende STEM-leerlijn?",
    "Wanneer kiezen we voor een vaste samenwerkingsvorm?",
]


@pytest.fixture(scope="module")
def client(app_server) -> Client:
    return Client(app_server.url, verbose=False)


def test_only_the_two_documented_endpoints_are_public(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {"/ask", "/chat"}


def test_ask_returns_the_cli_json_object(client, app_server):
    result = client.predict("Wat is een projectvereniging?", api_name="/ask")
    assert {"question", "answer", "refused", "mode", "citations", "timings_ms"} <= set(result)
    assert result["question"] == "Wat is een projectvereniging?"
    assert result["refused"] is False and result["mode"] == "offline"
    assert "projectvereniging" in result["answer"].lower()
    assert result["citations"], result
    for n, c in enumerate(result["citations"], 1):
        assert set(c) == CITATION_FIELDS
        assert c["n"] == n and f"[{n}]" in result["answer"]
        assert c["doc_id"].startswith("draaiboek/") and c["quote"] and c["chunk_id"]
    assert result["timings_ms"]["total_ms"] > 0
    with sqlite3.connect(app_server.data_dir / "feedback.sqlite3") as db:
        logged = db.execute("SELECT refused, mode FROM questions WHERE question = ?",
                            ("Wat is een projectvereniging?",)).fetchall()
    assert (0, "offline") in logged  # the API question is logged for the editors


def test_ask_refuses_out_of_scope_questions_with_suggestions(client):
    result = client.predict("Wat is een goed recept voor stoofvlees met Westmalle?", api_name="/ask")
    assert result["refused"] is True and SENTINEL in result["answer"] and result["citations"] == []
    assert 1 <= len(result["suggestions"]) <= 3
    assert all(s["doc_id"].startswith("draaiboek/") for s in result["suggestions"])


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def test_chat_returns_the_textbox_the_messages_and_the_mode(client):
    question = "Welke vormen van netwerkgovernance onderscheiden Provan en Kenis?"
    box, messages, mode = client.predict(question, [], api_name="/chat")
    assert box == ""
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert _text(messages[0]) == question
    html = BeautifulSoup(_text(messages[1]), "html.parser")
    links = html.select("a.aw-cite")
    assert links and all(a["data-chunk"] for a in links)
    assert html.select(".aw-sources li")
    assert "offline (zonder taalmodel)" in mode


def test_chat_escapes_html_in_the_question(client):
    question = "Wat is een <script>alert(1)</script> STEM-academie? <img src=x onerror=alert(2)>"
    _, messages, _ = client.predict(question, [], api_name="/chat")
    user = _text(messages[0])
    assert "&lt;script&gt;alert&#40;1&#41;&lt;/script&gt;" in user and "&lt;img src=x onerror=alert&#40;2&#41;&gt;" in user
    for message in messages:
        assert "<script" not in _text(message).lower() and "<img" not in _text(message).lower()


def test_twenty_concurrent_sessions_ask_five_questions_each(app_server):
    sessions, per_session = 20, 5
    latencies: list[float] = []
    failures: list[str] = []
    answers: list[dict] = []
    lock = threading.Lock()
    start = threading.Barrier(sessions)

    def session(i: int) -> None:
        client = Client(app_server.url, verbose=False)
        questions = [IN_SCOPE[(i * per_session + j) % len(IN_SCOPE)] for j in range(per_session)]
        assert len(set(questions)) == per_session
        start.wait(timeout=60)
        for q in questions:
            t = time.perf_counter()
            try:
                result = client.predict(q, api_name="/ask")
            except Exception as exc:  # counted, reported below
                with lock:
                    failures.append(f"{q}: {type(exc).__name__}: {exc}")
                continue
            with lock:
                latencies.append(time.perf_counter() - t)
                answers.append(result)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        list(pool.map(session, range(sessions)))
    wall = time.perf_counter() - t0

    assert failures == [], failures[:5]
    assert len(answers) == sessions * per_session == 100
    assert all(a["answer"] and a["citations"] and not a["refused"] for a in answers), \
        [a["question"] for a in answers if a["refused"] or not a["citations"]]
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2]
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    print(f"\n/ask under load: {len(answers)} answers from {sessions} sessions in {wall:.1f} s; "
          f"p50 {p50:.2f} s, p95 {p95:.2f} s, max {ordered[-1]:.2f} s")

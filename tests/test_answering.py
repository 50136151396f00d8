"""Answers on the shipped draaiboek with the real model; LLM mode with fake chat models."""

from __future__ import annotations

import re

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answering import Assistant
from assistant.prompts import ENGLISH_NOTICE, SENTINEL
from assistant.retrieval import Retriever
from assistant.text import fold


@pytest.fixture(scope="module")
def offline(draaiboek_index, embeddings):
    return Assistant(draaiboek_index, Retriever(draaiboek_index, embeddings))


def _cited_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]


@pytest.mark.parametrize("question, fact", [
    ("Hoeveel scholen zitten er in het scholenplatform van Neteland?", "37"),
    ("Wat is een projectvereniging?", "rechtspersoonlijkheid"),
    ("Welke drie vormen van netwerkgovernance onderscheiden Provan en Kenis?", "lead"),
    ("Wanneer vond het STEM-congres in Vorselaar plaats?", "16 mei 2024"),
])
def test_key_facts_come_with_a_citation_that_holds_them(offline, question, fact):
    answer = offline.ask(question)
    assert not answer.refused and answer.mode == "offline"
    assert fold(fact) in fold(answer.text)
    holders = [c for c in answer.citations if fold(fact) in fold(c.quote)]
    assert holders, [c.quote for c in answer.citations]
    assert f"[{holders[0].n}]" in answer.text
    for sentence in _cited_sentences(answer.text):
        assert re.search(r"\[\d+\]", sentence), f"uncited sentence: {sentence}"
    assert {c.n for c in answer.citations} == set(range(1, len(answer.citations) + 1))
    assert all(c.doc_id.startswith("draaiboek/") and c.section for c in answer.citations)


def test_a_how_question_gets_numbered_steps(offline):
    answer = offline.ask("Hoe bouw ik stap voor stap een indicatorenset op?")
    steps = [ln for ln in answer.text.splitlines() if re.match(r"^\d+\. ", ln)]
    assert len(steps) >= 3 and all(re.search(r"\[\d+\]", s) for s in steps)
    assert 40 <= len(answer.text.split()) <= 230


@pytest.mark.parametrize("question", [
    "Hoe vraag ik een nieuwe identiteitskaart aan?",
    "Wat is een goed recept voor stoofvlees met Westmalle?",
    "Who won the football world cup in 2022?",
    "Hoe laat vertrekt de laatste trein naar Oostende?",
])
def test_out_of_scope_questions_are_refused_with_suggestions(offline, question):
    answer = offline.ask(question)
    assert answer.refused and SENTINEL in answer.text and not answer.citations
    assert 1 <= len(answer.suggestions) <= 3


def test_english_question_gets_an_english_lead_and_dutch_sources(offline):
    answer = offline.ask("How can a municipality fund a STEM alliance?")
    assert answer.language == "en" and not answer.refused
    assert answer.text.startswith(ENGLISH_NOTICE)
    assert any("financ" in c.section.lower() or "financ" in c.title.lower() for c in answer.citations)


def test_typos_are_repaired(offline):
    answer = offline.ask("hoe groot moet de kerngoep zijn?")
    assert not answer.refused and any("kerngroep" in c.quote.lower() for c in answer.citations)


def test_follow_up_questions_use_the_previous_turn(offline):
    history = [("Wat doet de stuurgroep van een STEM-alliantie?", "...")]
    answer = offline.ask("en wie zit daar in?", history)
    assert not answer.refused
    assert any("stuurgroep" in c.quote.lower() for c in answer.citations)
    alone = offline.ask("en wie zit daar in?")
    assert alone.refused or not any("stuurgroep" in c.quote.lower() for c in alone.citations)


def test_answers_report_their_timings(offline):
    answer = offline.ask("Hoe financieren we de coördinator?")
    assert {"embed_ms", "retrieve_ms", "total_ms"} <= set(answer.timings_ms)
    assert answer.timings_ms["total_ms"] >= answer.timings_ms["retrieve_ms"] > 0


# -- LLM mode with fake chat models that record what they were shown ----------------


class Recording(GenericFakeChatModel):
    """A GenericFakeChatModel that keeps the messages of every call."""

    seen: list = []

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        self.seen.append(messages)
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        self.seen.append(messages)
        yield from super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs)


def _llm(draaiboek_index, embeddings, replies):
    model = Recording(messages=iter(AIMessage(content=r) for r in replies), seen=[])
    return Assistant(draaiboek_index, Retriever(draaiboek_index, embeddings), llm=model), model


QUESTION = "Wat doet de kerngroep van een STEM-alliantie?"


def test_the_prompt_carries_every_source_id(draaiboek_index, embeddings):
    chunks = Retriever(draaiboek_index, embeddings).search(QUESTION)
    first = chunks[0].id[:8]
    assistant, model = _llm(draaiboek_index, embeddings, [f"De kerngroep houdt de alliantie draaiende. [{first}]"])
    answer = assistant.ask(QUESTION)
    prompt = "\n".join(str(m.content) for m in model.seen[-1])
    assert all(f"[{c.id[:8]}]" in prompt for c in chunks)
    assert SENTINEL in prompt
    assert not answer.refused and answer.citations[0].chunk_id == chunks[0].id
    assert answer.text == "De kerngroep houdt de alliantie draaiende [1]."


def test_invalid_ids_are_removed_and_citations_renumbered(draaiboek_index, embeddings):
    chunks = Retriever(draaiboek_index, embeddings).search(QUESTION)
    a, b = chunks[1].id[:8], chunks[0].id[:8]
    reply = f"Eerste zin met een verzonnen bron. [deadbeef]\nTweede zin. [{a}]\nDerde zin. [{b}, deadbeef]"
    assistant, _ = _llm(draaiboek_index, embeddings, [reply])
    answer = assistant.ask(QUESTION)
    assert answer.text == "Tweede zin [1].\nDerde zin [2]."
    assert [c.chunk_id for c in answer.citations] == [chunks[1].id, chunks[0].id]


def test_the_sentinel_means_refused(draaiboek_index, embeddings):
    assistant, _ = _llm(draaiboek_index, embeddings, [SENTINEL])
    answer = assistant.ask(QUESTION)
    assert answer.refused and SENTINEL in answer.text


def test_no_valid_citation_falls_back_to_the_offline_answer(draaiboek_index, embeddings):
    assistant, _ = _llm(draaiboek_index, embeddings, ["Een antwoord zonder bronnen."])
    answer = assistant.ask(QUESTION)
    assert answer.mode == "offline" and answer.citations and "geen geldige bronverwijzingen" in answer.notice


def test_a_raising_backend_falls_back_with_a_notice(draaiboek_index, embeddings):
    class Broken(FakeListChatModel):
        def _call(self, *args, **kwargs):
            raise ConnectionError("server weg")

        def _stream(self, *args, **kwargs):
            raise ConnectionError("server weg")

    assistant = Assistant(draaiboek_index, Retriever(draaiboek_index, embeddings), llm=Broken(responses=["x"]))
    answer = assistant.ask(QUESTION)
    assert answer.mode == "offline" and answer.citations and "antwoordde niet" in answer.notice


def test_a_slow_backend_times_out_into_the_offline_answer(draaiboek_index, embeddings):
    draaiboek_index = draaiboek_index.model_copy(deep=True)
    draaiboek_index.llm.timeout_s = 0.5
    slow = FakeListChatModel(responses=["te laat"], sleep=2.0)
    assistant = Assistant(draaiboek_index, Retriever(draaiboek_index, embeddings), llm=slow)
    answer = assistant.ask(QUESTION)
    assert answer.mode == "offline" and "time-out" in answer.notice


def test_tokens_stream_before_the_final_answer(draaiboek_index, embeddings):
    chunk_id = Retriever(draaiboek_index, embeddings).search(QUESTION)[0].id[:8]
    assistant, _ = _llm(draaiboek_index, embeddings, [f"De kerngroep plant de activiteiten. [{chunk_id}]"])
    events = list(assistant.stream(QUESTION))
    assert len([e for e in events if isinstance(e, str)]) > 1
    assert not isinstance(events[-1], str) and events[-1].citations


def test_the_quoting_fake_provider_runs_end_to_end(draaiboek_index, embeddings):
    settings = draaiboek_index.model_copy(deep=True)
    settings.llm.provider = "fake"
    answer = Assistant(settings, Retriever(settings, embeddings)).ask(QUESTION)
    assert answer.mode == "fake:standaard" and answer.citations and "[1]" in answer.text

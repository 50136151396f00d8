"""Answers on the shipped draaiboek with the real model; LLM mode with fake chat models."""

from __future__ import annotations

import re

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answer.assistant import Assistant
from assistant.answer.intent import classify, defined_term
from assistant.language import detect_language
from assistant.answer.prompts import SENTINEL
from assistant.answer.support import UNSUPPORTED_MARK
from assistant.retrieval.search import Retriever
from assistant.text import fold


@pytest.fixture(scope="module")
def offline(draaiboek_index, embeddings):
    return Assistant(draaiboek_index, Retriever(draaiboek_index, embeddings))


def _cited_sentences(text: str) -> list[str]:
    lines = [re.sub(r"^\s*(?:\d+\.|[-*])\s+", "", ln) for ln in text.splitlines()]
    return [s for ln in lines for s in re.split(r"(?<=[.!?])\s+", ln) if s.strip()]


@pytest.mark.parametrize("question, fact", [
    ("Hoeveel scholen zitten er in het scholenplatform van Neteland?", "37"),
    ("Wat is een projectvereniging?", "rechtspersoonlijkheid"),
    ("Welke drie vormen van netwerkgovernance onderscheiden Provan en Kenis?", "leiderorganisatie"),
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
    "Write a shell command that shows the largest directories on a disk.",  # no word the product reads
])
def test_out_of_scope_questions_are_refused_with_suggestions(offline, question):
    answer = offline.ask(question)
    assert answer.refused and SENTINEL in answer.text and not answer.citations
    assert 1 <= len(answer.suggestions) <= 3


def test_english_question_gets_an_english_lead_and_dutch_sources(offline):
    answer = offline.ask("How can a municipality fund a STEM alliance?")
    assert answer.language == "en" and not answer.refused
    lead = answer.text.splitlines()[0]
    assert lead.startswith("The guide answers this in") and "[1]" in lead and "Dutch" in lead
    assert "funding" in lead or "fund" in lead
    body = "\n".join(answer.text.splitlines()[1:])
    assert detect_language(body) == "nl", body


def test_an_english_question_whether_something_makes_a_difference_is_about_impact(offline):
    # the blind reading's question that "make a difference" -> "effect impact" was written for
    answer = offline.ask("How can we show that the workshops actualy make a difference, beyond counting how many "
                         "kids showed up?")
    assert answer.citations[0].doc_id == "draaiboek/08-impact-meten", answer.text


def test_an_english_lead_claims_only_closeness_when_the_section_covers_none_of_the_question_s_topics(
        offline, monkeypatch):
    from assistant.answer import assistant as module

    question = "How can a municipality fund a STEM alliance?"
    result, first = offline.retriever.retrieve(question), offline.ask(question).citations[0]
    assert module.english_lead(result, first).startswith("The guide answers this in")
    monkeypatch.setattr(module, "_topics", lambda result, section: [])
    lead = module.english_lead(result, first)
    assert lead.startswith("The closest passage in the guide is") and "[1]" in lead and "Dutch" in lead, lead


def test_an_english_question_in_euros_gets_the_costs(offline):
    answer = offline.ask("What would a small town have to commit to a regional STEM network, in hours and euros?")
    assert answer.citations[0].section.startswith("Wat een STEM-alliantie kost"), answer.text
    assert "euros" in answer.text.splitlines()[0]  # the lead says what the section covers


@pytest.mark.parametrize("question, named, unnamed", [
    ("In my course the quadruple helix keeps coming up. Where does it come from?", "quadruple helix", ""),
    ("Our small town wants to fund a STEM alliance with the municipality next door. How?", "",
     "town|municipality|alliance|stem"),
    ("For my thesis: what are the three components of collaboration dynamics in Emerson's framework, and how would "
     "they apply to a regional STEM alliance?", "", "regional"),  # a lone adjective is no topic
])
def test_the_english_lead_names_the_topics_of_the_section_not_of_the_whole_guide(offline, question, named, unnamed):
    lead = offline.ask(question).text.splitlines()[0]
    covers = lead.split("which covers", 1)[1].split(".")[0] if "which covers" in lead else ""
    assert named in covers, lead
    assert not unnamed or not re.search(rf"\b({unnamed})\b", covers), lead


def test_typos_are_repaired(offline):
    answer = offline.ask("hoe groot moet de kerngoep zijn?")
    assert not answer.refused and any("kerngroep" in c.quote.lower() for c in answer.citations)


def test_follow_up_questions_use_the_previous_turn(offline):
    # the same follow-up lands on the section of whatever the previous turn was about
    for about, section in [("stuurgroep", "De stuurgroep die koers en middelen bepaalt"),
                           ("kerngroep", "De kerngroep als werkend hart van de alliantie")]:
        answer = offline.ask("en wie zit daar in?", [(f"Wat doet de {about} van een STEM-alliantie?", "...")])
        assert not answer.refused
        assert answer.citations[0].section == section, answer.text


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


def _keys(draaiboek_index, embeddings) -> list[str]:
    """The short section keys the model is shown, best section first."""
    return [h.section.id[:8] for h in Retriever(draaiboek_index, embeddings).retrieve(QUESTION).hits]


def test_the_prompt_carries_every_section_whole(draaiboek_index, embeddings):
    hits = Retriever(draaiboek_index, embeddings).retrieve(QUESTION).hits
    first = hits[0].section.id[:8]
    assistant, model = _llm(draaiboek_index, embeddings, [f"De kerngroep houdt de alliantie draaiende. [{first}]"])
    answer = assistant.ask(QUESTION)
    prompt = "\n".join(str(m.content) for m in model.seen[-1])
    assert all(f"[{h.section.id[:8]}]" in prompt for h in hits)
    assert all(s.text in prompt for h in hits for s in h.section.sentences), "sections are shown whole"
    assert SENTINEL in prompt
    assert not answer.refused and answer.citations[0].section_id == hits[0].section.id
    assert answer.text == "De kerngroep houdt de alliantie draaiende [1]."


def test_invalid_ids_are_removed_and_citations_renumbered(draaiboek_index, embeddings):
    keys = _keys(draaiboek_index, embeddings)
    a, b = keys[1], keys[0]
    reply = (f"Een zin met een verzonnen bron. [deadbeef]\nDe kerngroep komt samen. [{a}]\n"
             f"De kerngroep bereidt beslissingen voor. [{b}, deadbeef]")
    assistant, _ = _llm(draaiboek_index, embeddings, [reply])
    answer = assistant.ask(QUESTION)
    lines = answer.text.splitlines()
    assert len(lines) == 2 and lines[0].endswith("[1].") and lines[1].endswith("[2].")
    assert [c.section_id[:8] for c in answer.citations] == [a, b]
    assert "verzonnen" not in answer.text


def test_every_sentence_is_checked_against_the_section_it_cites(draaiboek_index, embeddings):
    hits = Retriever(draaiboek_index, embeddings).retrieve(QUESTION).hits
    key, section = hits[0].section.id[:8], hits[0].section
    supported = section.sentences[0].text
    invented = "De kerngroep krijgt van de Europese Commissie elk jaar tien miljoen euro voor ruimtevaart."
    assistant, _ = _llm(draaiboek_index, embeddings, [f"{supported} [{key}]\n{invented} [{key}]"])
    answer = assistant.ask(QUESTION)
    first, second = answer.sentences
    assert first.support > second.support
    assert first.support >= assistant.settings.answer.support_threshold > second.support
    assert UNSUPPORTED_MARK not in answer.text.splitlines()[0]
    assert UNSUPPORTED_MARK in answer.text.splitlines()[1]
    assert [s["support"] for s in answer.to_json()["sentences"]] == [first.support, second.support]


def test_unsupported_sentences_can_be_removed_instead(draaiboek_index, embeddings):
    settings = draaiboek_index.model_copy(deep=True)
    settings.answer.unsupported = "remove"
    hits = Retriever(settings, embeddings).retrieve(QUESTION).hits
    key, section = hits[0].section.id[:8], hits[0].section
    invented = "De kerngroep krijgt van de Europese Commissie elk jaar tien miljoen euro voor ruimtevaart."
    model = Recording(messages=iter([AIMessage(content=f"{section.sentences[0].text} [{key}]\n{invented} [{key}]")]),
                      seen=[])
    answer = Assistant(settings, Retriever(settings, embeddings), llm=model).ask(QUESTION)
    assert "Europese Commissie" not in answer.text and len(answer.sentences) == 1


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
    chunk_id = _keys(draaiboek_index, embeddings)[0]
    assistant, _ = _llm(draaiboek_index, embeddings, [f"De kerngroep plant de activiteiten. [{chunk_id}]"])
    events = list(assistant.stream(QUESTION))
    assert len([e for e in events if isinstance(e, str)]) > 1
    assert not isinstance(events[-1], str) and events[-1].citations


def test_the_quoting_fake_provider_runs_end_to_end(draaiboek_index, embeddings):
    settings = draaiboek_index.model_copy(deep=True)
    settings.llm.provider = "fake"
    answer = Assistant(settings, Retriever(settings, embeddings)).ask(QUESTION)
    assert answer.mode == "fake:standaard" and answer.citations and "[1]" in answer.text


# -- answers that answer: section-first composition -----------------------------------


def test_a_list_question_gets_the_whole_list_with_its_introduction(offline):
    answer = offline.ask("Welke vormen beschrijven Provan en Kenis?")
    items = [ln for ln in answer.text.splitlines() if re.match(r"^\d+\. ", ln)]
    assert len(items) == 3, answer.text
    text = fold(answer.text)
    assert all(form in text for form in ("gedeeld", "leiderorganisatie", "netwerkadministratieve organisatie"))
    assert "provan" in fold(answer.text.splitlines()[0]), "the list comes with the sentence that introduces it"


def test_a_first_meeting_question_gets_the_agenda(offline):
    answer = offline.ask("Hoe ziet een eerste vergadering met de partners eruit?")
    assert answer.citations[0].section == "Agenda van een eerste partneroverleg"
    assert len([ln for ln in answer.text.splitlines() if re.match(r"^\d+\. ", ln)]) >= 5


def test_a_comparison_names_both_sides(offline):
    answer = offline.ask("Wat is het verschil tussen een projectvereniging en een interlokale vereniging?")
    lines = answer.text.splitlines()
    assert lines[0].startswith("Projectvereniging:") and lines[1].startswith("Interlokale vereniging:")
    assert "rechtspersoonlijkheid" in fold(lines[0]) and "rechtspersoonlijkheid" in fold(lines[1])


def test_an_english_comparison_names_both_sides_in_the_guides_words(offline):
    answer = offline.ask("What's the difference between the core group and the steering group?")
    body = answer.text.splitlines()[2:]  # after the English lead line and a blank line
    assert body[0].startswith("Kerngroep:") and body[1].startswith("Stuurgroep:"), answer.text
    assert "Core group" not in answer.text.split("\n", 1)[1]  # no English label before the Dutch one


def test_a_chapter_summary_brings_the_section_of_its_chapter_that_answers(offline):
    answer = offline.ask("kunnen we voor zo'n netwerk subsidie krijgen bij VLAIO en hoelang loopt dat dan?")
    first, second = answer.citations[:2]
    assert first.section == "Kort" and second.doc_id == first.doc_id and second.section != "Kort"
    assert "drie jaar" in answer.text  # how long a call runs: in the section, not in the summary


def test_a_sentence_that_announces_a_count_brings_its_list(offline):
    answer = offline.ask("Voor mijn paper: welke vormen van netwerkgovernance bestaan er?")
    assert "drie basisvormen" in answer.text, answer.text
    items = [ln for ln in answer.text.splitlines() if re.match(r"^\d+\. ", ln)]
    assert len(items) == 3 and "NAO" in items[2], answer.text  # the three forms themselves, not only "drie"


def test_a_template_asked_for_comes_whole_to_copy(offline):
    answer = offline.ask("Heb je een voorbeeldmail om scholen en bedrijven uit te nodigen voor een eerste gesprek?")
    quoted = [ln for ln in answer.text.splitlines() if ln.startswith(">")]
    assert answer.citations[0].section == "Sjabloon: uitnodiging voor een eerste verkennend gesprek"
    assert "> Beste [naam]," in quoted and "> Op de agenda:" in quoted, answer.text
    assert any(ln.startswith("> 3. ") for ln in quoted)  # the agenda keeps its items and their order
    assert not any(re.search(r"\[\d+\]", ln) for ln in quoted)  # no citation marks inside the letter
    assert "Beste [naam]," in answer.citations[0].quote  # the citation quotes the whole template


def test_a_list_answer_keeps_the_sections_best_sentence_outside_the_list(offline):
    answer = offline.ask("Hoe zorgen we dat een nieuwe coördinator al onze documenten terugvindt?")
    assert any(re.match(r"^\d+\. ", ln) for ln in answer.text.splitlines()), answer.text  # the list of phases
    assert "gedeelde map" in answer.text, answer.text  # and the sentence that answers, after the list


def test_a_cost_question_gets_the_table_with_the_figures(offline):
    answer = offline.ask("Hoeveel budget moeten we als gemeente van 12.000 inwoners jaarlijks voorzien voor zo'n "
                         "alliantie?")
    assert "| Totaal | 29.000 | 92.000 |" in answer.text, answer.text  # not only the assumptions behind it


def test_a_short_list_comes_whole_with_one_bullet_per_item(offline):
    answer = offline.ask("Is STEM Neteland nu een leiderorganisatie of een NAO, volgens Provan en Kenis?")
    bullets = [ln for ln in answer.text.splitlines() if ln.startswith("- ")]
    assert [b.replace("**", "").split(".")[0] for b in bullets] == [
        "- Aantal deelnemers", "- Vertrouwen", "- Doelconsensus", "- Netwerkcompetenties"], answer.text  # all four
    assert "weten we niet" in bullets[1]  # an item's second sentence stays in its bullet


def test_a_sentence_whose_predecessor_is_in_the_answer_stays_with_what_it_introduces(offline):
    # "Welk van de twee klopt" leans on the two figures before it, which the answer gives: it stays,
    # and so does "De les voor je eigen alliantie:" that announces the list
    answer = offline.ask("Hoe tellen we het bereik van onze workshops zonder namen van kinderen bij te houden?")
    assert re.search(r"12\.500 \[\d+\]\. Welk van de twee klopt, is onduidelijk \[\d+\]\. De les voor je eigen "
                     r"alliantie \[\d+\]:\n1\. ", answer.text), answer.text


def test_a_list_of_references_does_not_answer_a_question_about_theory(offline):
    answer = offline.ask("How does a town hall keep a grip on a network it partly pays for without bossing the "
                         "partners around? Is there any theory on that?")
    assert all(c.section != "Referentielijst" for c in answer.citations), answer.text


def test_what_to_do_with_a_list_comes_after_it(offline):
    # "Zoek naar signalen dicht bij huis:" + four signs + "Verzamel die signalen in een korte nota"
    answer = offline.ask("Welke signalen moet ik verzamelen om een schooldirecteur te overtuigen dat STEM dringend is?")
    assert "Verzamel die signalen in een korte nota van twee pagina's" in answer.text, answer.text


def test_a_paragraph_label_of_the_draaiboek_reads_as_a_label_in_the_answer(offline):
    answer = offline.ask("Wat mag de kerngroep zelf beslissen en hoe vaak komt ze samen?")
    assert "**Mandaat.** De kerngroep" in answer.text, answer.text
    assert not re.search(r"(?<!\*)Mandaat\. ", answer.text)


def test_a_sentence_that_only_names_a_chapter_gives_way_to_one_that_answers(offline):
    answer = offline.ask("Zijn we te vroeg aan het overstructureren? Hoe weet je dat?")
    assert "beschrijft hoofdstuk 5" not in answer.text and "Wat in de plaats" in answer.text, answer.text


@pytest.mark.parametrize("question, section", [
    ("Hoe neem ik de alliantie op in de beleids- en beheerscyclus van onze gemeente?",
     "De alliantie in de BBC: beleidsdoelstelling, actieplan, actie"),  # a worked example is no template
    ("Wat zet ik in de collegenota om te mogen starten?", "Sjabloon: collegenota om te starten"),  # asked for
])
def test_templates_give_way_only_when_they_are_not_asked_for(offline, question, section):
    assert offline.ask(question).citations[0].section == section


def test_a_definition_comes_from_the_glossary_first(offline):
    answer = offline.ask("Wat is een projectvereniging?")
    assert answer.citations[0].doc_id == "draaiboek/14-begrippenlijst"
    assert fold(answer.text).lstrip("- ").startswith("projectvereniging:")


@pytest.mark.parametrize("question, term", [
    ("wat is nu eigenlijk een stem-academie?", "stem-academie"),  # filler words and the article go
    ("Wat is een kerngroep, en wie zit daarin?", "kerngroep"),  # a second question is no part of the term
    ("wat is een STEM-academie en wie erkent die?", "STEM-academie"),
    ("Wat is het verschil tussen een kerngroep en een stuurgroep?", None),  # a comparison, not one term
])
def test_the_term_a_definition_question_asks_about(question, term):
    assert defined_term(question) == term


def test_a_definition_with_a_second_question_gives_the_entry_not_the_whole_glossary(offline):
    answer = offline.ask("wat is nu eigenlijk een stem-academie en wie erkent die?")
    assert fold(answer.text).lstrip("- ").startswith("stem-academie:")
    assert "4o-model:" not in fold(answer.text)


def test_named_entries_are_the_entries_of_a_list_of_terms_that_the_question_names():
    from types import SimpleNamespace as S

    from assistant.answer.coherence import named_entries
    from assistant.text import analyze, vocabulary_of

    lines = [(0, 0, "Begrippen:"), (1, 1, "Kerngroep: de kleine groep die dagelijks stuurt."),
             (1, 1, "Ze vergadert vaak."),
             (1, 2, "Stuurgroep: het bredere orgaan."), (1, 3, "Trekker: de persoon die het draagt."),
             (1, 4, "Netwerk: een vaste samenwerking."),
             (2, 1, "Week 1 en 2: mandaat."), (2, 2, "Week 3: gesprekken."), (2, 3, "Week 4: kerngroep kiezen."),
             (2, 4, "Week 5: kiezen.")]
    sentences = [S(position=i, list_no=n, item_no=k, text=t) for i, (n, k, t) in enumerate(lines)]
    vocab = vocabulary_of([t for *_, t in lines])
    assert named_entries(sentences, {"kerngroep", "stuurgroep"}, vocab) == {"Kerngroep": [1, 2], "Stuurgroep": [3]}
    assert named_entries(sentences, {"wek"}, vocab) == {}  # "Week 3:" labels a step, it names no term
    assert named_entries(sentences, {"kerngroep", "stuurgroep", "trekker"}, vocab) == {}  # most of them: the list
    assert named_entries(sentences[:5], {"kerngroep"}, vocab) == {}  # three entries: a short list comes whole
    # a part of a compound names no entry: "groep" is not "Kerngroep", though the index knows both parts
    parts = vocabulary_of([t for *_, t in lines] + ["de kern van het netwerk"])
    assert "groep" in analyze("Kerngroep", parts)
    assert named_entries(sentences, {"groep"}, parts) == {}


def test_a_word_inside_an_entrys_term_does_not_make_it_the_answer(offline):
    # blind reading 20: "welzijn" picked the lone entry "Jongerenwelzijn: …" over the section's own answer
    answer = offline.ask("Ik ben schepen van welzijn en kinderopvang. Mijn collega's vinden STEM een zaak voor de "
                         "schepen van onderwijs. Heb ik daar eigenlijk een rol in, en zo ja welke?")
    assert "schepen van welzijn of kinderopvang heeft evengoed een rol" in answer.text, answer.text
    assert not answer.text.startswith("- "), "no lone list item opens the answer"


def test_a_side_named_with_a_demonstrative_is_not_said_twice(offline):
    answer = offline.ask("Wat is nu het verschil tussen die kerngroep en die stuurgroep?")
    assert "Kerngroep: de kleine groep" in answer.text and not re.search(r"Die (kern|stuur)groep:", answer.text)


def test_a_comparison_of_two_glossary_terms_brings_the_sections_that_explain_them(offline):
    answer = offline.ask("Wat is het verschil tussen een kerngroep en een stuurgroep?")
    assert answer.citations[0].doc_id == "draaiboek/14-begrippenlijst"
    assert {"De kerngroep als werkend hart van de alliantie", "De stuurgroep die koers en middelen bepaalt"} <= {
        c.section for c in answer.citations}
    # two definitions in one section's prose ("Effecten zijn wat daardoor verandert: …") stay in that section
    assert len({c.section for c in offline.ask("wat is het verschil tussen output en effect?").citations}) == 1


def test_a_question_naming_two_glossary_terms_gets_those_entries_and_their_sections(offline):
    answer = offline.ask("stuurgroep en kerngroep: wie zit waarin?")
    text = fold(answer.text)
    assert "kerngroep:" in text and "stuurgroep:" in text and "shared governance:" not in text
    assert {"De kerngroep als werkend hart van de alliantie", "De stuurgroep die koers en middelen bepaalt"} <= {
        c.section for c in answer.citations}


def test_a_list_comes_with_the_conclusion_that_follows_it(offline):
    # the four conditions are the list; which form Neteland is comes after it
    answer = offline.ask("Welke van de drie vormen van Provan en Kenis is STEM Neteland volgens het draaiboek?")
    text = fold(answer.text)
    assert "doelconsensus" in text and "onze lezing" in text, answer.text


def test_no_answer_sentence_leans_on_a_sentence_it_does_not_show(offline):
    from assistant.evaluation import dangling_sentences

    questions = ["Welke valkuilen zijn er bij een STEM-netwerk?", "Hoe financieren we een alliantie op lange termijn?",
                 "Waarom zou een gemeente een vaste STEM-alliantie opzetten?", "Wat doet de kerngroep?",
                 "Welke rol kunnen bedrijven spelen, en hoe vermijd je dat het reclame wordt?",
                 "Hoe meet je de impact van een STEM-alliantie?", "Waar begin ik als schepen?"]
    for question in questions:
        answer = offline.ask(question)
        assert not answer.refused, question
        assert dangling_sentences(answer) == [], (question, answer.text)


@pytest.mark.parametrize("question", [
    "Hoe is STEM Neteland georganiseerd, en welke gemeenten doen mee?",
    "How many hours a week does a coordinator need for this?",
    "Hoeveel budget moeten we als gemeente van 12.000 inwoners jaarlijks voorzien voor zo'n alliantie?",
    "Hoe zorgen we dat een nieuwe coördinator al onze documenten terugvindt?",
    "Welke rol speelt de bibliotheek in de it takes a village-aanpak van Neteland?",  # no lead from after a list
    "Wat is het verschil tussen de kerngroep en de stuurgroep? En wie beslist wat, en hoe vaak komen ze samen?",
])
def test_no_answer_says_a_sentence_twice(offline, question):
    answer = offline.ask(question)
    shown = [(s.section_id, s.position) for s in answer.sentences]
    assert len(shown) == len(set(shown)), answer.text


def test_a_short_budget_never_leaves_a_sentence_without_its_predecessor(draaiboek_index, offline):
    from assistant.evaluation import dangling_sentences

    settings = draaiboek_index.model_copy(update={"answer": draaiboek_index.answer.model_copy(update={"max_words": 160})})
    short = Assistant(settings, offline.retriever)
    answer = short.ask("Hoe lang duurt het eer zo'n netwerk echt draait, en hoe ging dat in Neteland?")
    assert not answer.refused and dangling_sentences(answer) == [], answer.text


def test_an_answer_offers_related_questions_and_sections_to_read_next(offline):
    answer = offline.ask("Hoe financieren we een alliantie op lange termijn?")
    assert 1 <= len(answer.related_questions) <= 3
    assert all(q.endswith("?") and q != answer.question for q in answer.related_questions)
    cited = {(c.doc_id, c.section) for c in answer.citations}
    assert 1 <= len(answer.read_next) <= 2 and not {(r.doc_id, r.section) for r in answer.read_next} & cited


def test_citations_show_who_published_the_source_when_and_what_kind(offline):
    answer = offline.ask("Welke oproepen lanceerde VLAIO eind 2018?")
    notes = [n for c in answer.citations for n in c.sources]
    assert notes and all(re.match(r".+, (\d{4}|z\.d\.) · (overheid|onderzoek|pers|praktijk|presentatie)$", n.label)
                         for n in notes)
    assert any(n.label.startswith("VLAIO, ") and n.kind == "overheid" for n in notes)


def test_an_answer_resting_on_the_presentation_says_so(offline):
    answer = offline.ask("Hoeveel gedeelde personeelsleden heeft Neteland volgens Janssens?")
    assert not answer.refused
    assert answer.notice and "presentatie" in answer.notice


@pytest.mark.parametrize("question", [
    "Wie is de huidige minister van Onderwijs?",
    "Welke bedrijven in de Kempen zoeken ingenieurs?",
])
def test_a_name_or_a_generic_word_does_not_carry_a_question(offline, question):
    assert offline.ask(question).refused


def test_a_two_part_question_is_answered_part_by_part(offline):
    answer = offline.ask("Welke rol kunnen bedrijven spelen, en hoe vermijd je dat het reclame wordt?")
    assert not answer.refused and len(answer.citations) >= 2
    assert "logo" in fold(answer.text)
    assert {c.chunk_id for c in answer.citations} <= set(answer.retrieved_ids), "each part's search counts"


@pytest.mark.parametrize("question", [
    "Hoe organiseren we een rommelmarkt voor het goede doel, en wat zijn de valkuilen?",
    "Hoe vraag ik een bouwvergunning aan voor een tuinhuis? Bestaat daar een stappenplan voor?",
])
def test_a_generic_second_part_does_not_carry_an_off_topic_first_part(offline, question):
    """"Wat zijn de valkuilen?" alone is in scope; after a question about a flea market it
    asks about the flea market."""
    assert offline.ask(question).refused


def test_a_second_part_still_adds_to_an_in_scope_first_part(offline):
    answer = offline.ask("Hoe start ik een STEM-alliantie, en wat zijn de valkuilen?")
    assert not answer.refused and len({c.section_id for c in answer.citations}) >= 2


def test_a_section_whose_best_sentence_leans_on_nothing_still_answers(offline):
    answer = offline.ask("Waar begin ik als kleine gemeente met een stem alliantie?")
    assert not answer.refused and answer.citations


def test_a_template_answers_only_a_question_for_a_template(offline):
    placeholder = re.compile(r"\[(?!\d+\])[^\]]+\]")  # "[dag en datum]", not a citation "[1]"
    answer = offline.ask("Hoe krijg ik bedrijven mee aan tafel als ze alleen stagiairs willen?")
    assert not answer.refused and not placeholder.search(answer.text), answer.text
    template = offline.ask("Is er een sjabloon voor de uitnodiging van een eerste verkennend gesprek?")
    assert placeholder.search(template.text), template.text


def test_an_item_of_a_short_list_never_comes_alone(offline):
    # the best sentences name one of the three forms: the whole list comes, with what announces it
    answer = offline.ask("Welk model, lead organization, NAO of shared governance, past best bij een regionale "
                         "STEM-alliantie?")
    text = fold(answer.text)
    assert all(form in text for form in ("gedeeld", "leiderorganisatie", "netwerkadministratieve organisatie"))
    assert "drie basisvormen" in text, answer.text


def test_a_short_section_of_prose_comes_whole_without_lines_about_the_chapter(offline):
    answer = offline.ask("Wat zijn de meest voorkomende valkuilen bij de opstart van een STEM-alliantie?")
    text = fold(answer.text)
    assert "te snel structuren bouwen" in text or all(w in text for w in ("overstructureren", "trekker")), answer.text
    for question in ("Zijn er voorbeelden uit het buitenland?", "Hoe begin je met een STEM-alliantie?"):
        body = offline.ask(question).text
        assert "Dit hoofdstuk" not in body and not body.splitlines()[0].rstrip(" [0123456789]").endswith("?"), body


def test_an_off_topic_question_counts_only_when_the_question_shares_its_subject(offline):
    def evidence(question):
        return offline.relevance(offline.retriever.retrieve(question))

    vague = evidence("wat zijn de valkuilen bij de opstart?")  # close in form to "… van een nieuw jeugdhuis?"
    assert vague.outside_topic < vague.outside - 0.05
    youth_centre = evidence("wat zijn de valkuilen bij het openen van een jeugdhuis?")
    assert youth_centre.outside_topic == pytest.approx(youth_centre.outside)


def test_the_words_of_anchor_questions_count_as_what_a_section_covers(offline):
    evidence = offline.relevance(offline.retriever.retrieve("Welke afspraken maken we over reclame in de klas?"))
    assert evidence.asked_coverage > evidence.best_passage + 0.2, evidence  # "reclame" is in a question, not the text
    assert not offline.ask("Welke afspraken maken we over reclame in de klas?").refused


def test_a_question_about_what_to_do_gets_the_remedy_and_one_about_signs_the_signs(offline):
    remedy = fold(offline.ask("Hoe vermijden we dat ons netwerk afhankelijk wordt van projectsubsidies?").text)
    assert "basiswerking" in remedy and "volledig betaald uit een projectbudget" not in remedy, remedy
    signs = fold(offline.ask("Hoe merk je dat een netwerk te veel op één trekker rust?").text)
    assert "vergaderingen worden afgelast" in signs, signs


def test_a_table_keeps_its_rows(offline):
    answer = offline.ask("Hoeveel kost een STEM-alliantie ons per jaar?")
    assert "| Totaal | 29.000 | 92.000 |" in answer.text.splitlines(), answer.text


@pytest.mark.parametrize("question", [
    "de schepen wil de academie betalen per kind dat meedoet, dan weten we tenminste waarvoor we betalen. goed idee?",
    "Wat is dat T-attest dat ze in Neteland gebruiken, en kunnen wij zoiets overnemen?",
])
def test_a_second_section_is_never_a_template_or_a_page_about_the_draaiboek_itself(offline, question):
    # a mail to fill in, or "Wat het draaiboek niet doet", adds nothing to an answer that did not ask for it
    answer = offline.ask(question)
    assert not answer.refused
    assert not any(c.section.startswith("Sjabloon") or c.doc_id.endswith("00-hoe-dit-draaiboek-gebruiken")
                   for c in answer.citations), [c.section for c in answer.citations]


def test_a_search_that_opens_with_a_list_noun_gets_the_list_and_the_remedy(offline):
    assert classify("signalen dat alles op één persoon rust, en wat doe je eraan").wants_list
    answer = offline.ask("signalen dat alles op één persoon rust, en wat doe je eraan")
    text = fold(answer.text)
    assert "vergaderingen worden afgelast" in text  # the warning signs, as a list
    assert "wat in de plaats" in text and "opvolger" in text, answer.text  # and what to do instead


def test_a_question_for_three_things_gets_the_sentence_that_announces_three(offline):
    # the three components are prose, not a list: the sentence that counts them is the answer
    answer = offline.ask("For my thesis on collaborative governance: what are the three components of collaboration "
                         "dynamics in the framework of Emerson, Nabatchi and Balogh, and how would they apply to a "
                         "regional STEM alliance?")
    assert "principled engagement" in answer.text, answer.text


def test_a_why_question_that_also_asks_how_gets_the_steps():
    assert classify("Waarom volstaat één STEM-dag niet, en hoe bouw je een aanbod over meerdere jaren op?").wants_list
    assert not classify("Waarom volstaat één STEM-dag per jaar niet?").wants_list


def test_a_question_about_what_the_guide_covers_today_is_not_refused_as_a_question_about_today(offline):
    answer = offline.ask("Can I use this guide to see which STEM calls are open at the moment?")
    assert not answer.refused


@pytest.mark.parametrize("question", [
    "Wat moeten we nu al regelen als de alliantie volgend jaar moet draaien?",
    "Our grant ends next year, how do we keep going?",
])
def test_a_question_about_next_years_plans_is_answered(offline, question):
    assert not offline.ask(question).refused


def test_an_answer_does_not_say_the_same_thing_twice_from_two_sections(offline):
    # chapters 01 and 07 both define a STEM-academie, in nearly the same words
    from assistant.answer.coherence import REPEAT

    answer = offline.ask("wie erkent de stem-academies en wat doen ze buiten de schooluren?")
    snap = offline.retriever.snapshot
    prose = [s for s in answer.sentences if s.section_id]
    vectors = [snap.sentence_vectors_of(snap.sections[s.section_id])[s.position] for s in prose]
    assert len({s.section_id for s in prose}) > 1, answer.text
    for i, (a, va) in enumerate(zip(prose, vectors)):
        for b, vb in zip(prose[:i], vectors[:i]):
            assert a.section_id == b.section_id or float(va @ vb) < REPEAT, (a.text, b.text)


def test_a_question_how_to_see_it_in_your_own_network_gets_the_signs(offline):
    # "waaraan zie je dat": the warning signs answer, not only the definition and the remedy
    answer = offline.ask("Wat is collaborative inertia en waaraan zie je dat in je eigen stuurgroep?")
    assert "de opkomst op vergaderingen daalt" in answer.text, answer.text


def test_a_template_comes_last_when_the_question_does_not_ask_for_one(offline):
    # "gesprekken", "school", "bedrijf": the invitation mail shares the words, the press section answers
    answer = offline.ask("een journalist van de lokale krant wil een artikel over onze stem plannen, maar we hebben "
                         "pas twee gesprekken gehad met een school en een bedrijf. wat vertel ik?")
    assert answer.citations[0].section == "Communiceren naar pers en publiek in de beginfase", answer.text


def test_a_chapter_summary_brings_a_section_of_its_chapter(offline):
    # "Kort" points; a section of the same chapter answers, even when it ranks fifth
    answer = offline.ask("mijn burgemeester wil in het jaarverslag 'impact' zien en niet enkel het aantal workshops. "
                         "hoe begin ik daar aan zonder een duur onderzoeksbureau in te huren?")
    sections = [c.section for c in answer.citations]
    assert sections[0] != "Kort" or len(sections) > 1, answer.text

"""The app in headless Chromium: ask, open a citation, read the draaiboek, upload a PDF.

Uses Debian's /usr/bin/chromium (never a downloaded browser). Screenshots go to
tests/artifacts/ (git-ignored): answer.png, draaiboek.png, documents.png.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import make_pdf

pytest_plugins = ["tests.apprunner"]
pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
QUESTION = "Wat is een projectvereniging?"
MISSING = (f"{CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install chromium); "
           "never run `playwright install` here.")


def chromium_present() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def test_chromium_is_installed():
    assert chromium_present(), MISSING


@pytest.fixture(scope="module")
def browser():
    if not chromium_present():
        pytest.fail(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, browser_app):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(30_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    page.goto(browser_app.url)
    page.get_by_placeholder("Typ je vraag…").wait_for()
    yield page
    context.close()


def shot(page, name: str, **kwargs) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), **kwargs)
    return path


def ask(page, question: str):
    """Type a question, press "Vraag", return the assistant's last message once it is final."""
    from playwright.sync_api import expect

    before = page.locator("[data-testid='bot']").count()
    page.get_by_placeholder("Typ je vraag…").fill(question)
    page.get_by_role("button", name="Vraag", exact=True).click()
    bot = page.locator("[data-testid='bot']")
    expect(bot).to_have_count(before + 1)
    last = bot.last
    expect(last).not_to_have_text(re.compile(r"…\s*$"), timeout=60_000)  # "…" marks an answer in the making
    return last


def test_ask_open_a_citation_and_see_the_highlighted_passage(page):
    from playwright.sync_api import expect

    answer = ask(page, QUESTION)
    expect(page.locator("[data-testid='user']").last).to_have_text(QUESTION)
    cite = answer.locator("a.aw-cite").first
    expect(cite).to_be_visible()
    expect(cite).to_have_text("[1]")
    expect(answer.locator(".aw-sources li").first).to_be_visible()
    chunk = cite.get_attribute("data-chunk")
    assert chunk
    cite.click()
    passage = page.locator(".aw-passage")
    expect(passage).to_be_visible()
    mark = passage.locator("mark").first
    expect(mark).to_be_visible()
    assert len(mark.inner_text().split()) >= 3
    expect(passage.locator("h3")).not_to_be_empty()
    expect(passage.locator("a.aw-guide")).to_have_text("Open dit stuk in het draaiboek")
    cite.scroll_into_view_if_needed()
    shot(page, "answer.png")
    assert page.dialogs == []


def test_the_draaiboek_tab_shows_chapter_content(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Draaiboek").click()
    chapter = page.locator("#aw-chapter")
    expect(chapter.locator("h1")).to_have_text("Hoe dit draaiboek te gebruiken")
    expect(chapter.locator("h2").first).to_be_visible()
    assert len(chapter.inner_text().split()) > 200
    toc = page.locator("#aw-toc")
    expect(toc.get_by_text("Fase 3 · Structureren — Financiering")).to_be_visible()
    toc.get_by_text("Fase 3 · Structureren — Financiering").click()
    expect(chapter.locator("h1")).to_have_text("Financiering")
    expect(chapter.locator("h2#sec-het-financieringslandschap-voor-een-stem-alliantie")).to_be_attached()
    shot(page, "draaiboek.png")


def test_a_guide_link_in_an_answer_opens_the_draaiboek_at_that_section(page):
    from playwright.sync_api import expect

    answer = ask(page, "Hoe financieren we een STEM-alliantie op lange termijn?")
    step = answer.locator("p.aw-next a.aw-guide")
    expect(step).to_be_visible()
    section = step.get_attribute("data-sec")
    step.click()
    expect(page.get_by_role("tab", name="Draaiboek")).to_have_attribute("aria-selected", "true")
    heading = page.locator("#aw-chapter h2", has_text=section)
    expect(heading).to_be_visible()


def test_upload_a_pdf_and_see_it_listed(page, tmp_path, browser_app):
    from playwright.sync_api import expect

    pdf = make_pdf(tmp_path / "Coördinatie Geel.pdf", [
        "Coördinatie van de STEM-academie in Geel: één aanspreekpunt voor scholen, bedrijven en ouders.",
        "Tweede pagina: de regisseur tekent een partnerkaart volgens het 4O-model, met aandacht voor "
        "technische beroepen en de brede eerste graad.",
    ], title="Advies coördinatie Geel")
    page.get_by_role("tab", name="Documenten").click()
    table = page.get_by_role("grid", name="Documenten in de index")
    expect(table.get_by_text("draaiboek/06-financiering", exact=True)).to_be_visible()
    page.locator("input[type=file][accept*='.pdf']").set_input_files(str(pdf))
    expect(page.get_by_text("Coördinatie Geel.pdf").first).to_be_visible()
    page.get_by_role("button", name="Toevoegen en indexeren").click()
    expect(page.get_by_text("1 document(en) toegevoegd")).to_be_visible(timeout=90_000)
    row = table.get_by_text("uploads/Coördinatie Geel", exact=True)
    expect(row).to_have_count(1)
    row.scroll_into_view_if_needed()
    expect(row).to_be_visible()
    expect(table.get_by_text("Advies coördinatie Geel", exact=True)).to_be_visible()
    shot(page, "documents.png", full_page=True)
    assert (browser_app.data_dir / "uploads" / "Coördinatie Geel.pdf").is_file()


def test_html_in_a_question_shows_as_text(page):
    from playwright.sync_api import expect

    question = "Wat is een STEM-academie? <img src=x onerror=alert(1)> <script>alert(2)</script>"
    ask(page, question)
    user = page.locator("[data-testid='user']").last
    expect(user).to_have_text(question)
    assert user.locator("img, script").count() == 0
    assert page.dialogs == []


def test_markdown_links_and_images_in_a_question_show_as_text(page):
    from playwright.sync_api import expect

    question = "Wat is een STEM-academie? [klik](javascript:alert(1)) ![pixel](//127.0.0.1:9/p.png)"
    ask(page, question)
    user = page.locator("[data-testid='user']").last
    expect(user).to_contain_text("Wat is een STEM-academie?")
    assert user.locator("a[href^='javascript'], img").count() == 0
    expect(user).to_have_text(question)

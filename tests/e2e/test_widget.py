"""The widget in headless Chromium against a real `companion serve` on a free port."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.live import QUESTION, TRANSCRIPT, Server

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
def launcher_of(page: Page) -> Locator:
    return page.get_by_role("button", name="Ask the sessions")


def has_focus(locator: Locator) -> bool:
    return bool(locator.evaluate("el => el.getRootNode().activeElement === el"))


def open_with_keyboard(page: Page) -> Locator:
    launcher = launcher_of(page)
    expect(launcher).to_be_visible()
    for _ in range(30):  # the launcher is reachable with Tab like any page control
        page.keyboard.press("Tab")
        if has_focus(launcher):
            break
    assert has_focus(launcher), "Tab never reached the widget's launcher"
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Ask the sessions")
    expect(dialog).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    return dialog


def test_ask_see_cited_answer_expand_and_give_feedback(page: Page, server: Server):
    page.goto(server.demo)
    dialog = open_with_keyboard(page)
    question = page.get_by_label("Your question")
    assert has_focus(question)
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")

    answer = dialog.get_by_role("article", name="Answer 1")
    source = answer.locator(".sources details").first
    expect(source).to_be_visible(timeout=30_000)
    expect(answer).to_have_attribute("aria-busy", "false")
    confidence = re.compile(r"^Confidence: (high|medium|low)$")
    expect(answer.locator(".confidence")).to_have_text(confidence)
    summary = source.locator("summary")
    expect(summary).to_have_text(re.compile(r"^1\.Writing submissions workshop · "
                                            r"(Amara Okafor|Tom Reyes) · \d+:\d\d$"))
    quote = source.locator("blockquote")
    expect(quote).to_be_hidden()
    summary.click()
    expect(quote).to_be_visible()
    quoted = quote.inner_text().strip("“”")
    assert quoted and quoted in TRANSCRIPT  # shown verbatim, as text

    answer.get_by_role("button", name="Helpful", exact=True).click()
    expect(answer.get_by_role("status")).to_have_text("Thanks, your feedback was sent.")
    expect(answer.get_by_role("button", name="Helpful", exact=True)).to_have_attribute(
        "aria-pressed", "true")
    rows = httpx.get(f"{server.base}/v1/feedback",
                     headers={"Authorization": f"Bearer {server.admin_key}"}).json()
    helpful = [r for r in rows if r["kind"] == "helpful"]
    assert helpful and helpful[0]["question"] == QUESTION
    assert helpful[0]["origin"] == server.base and helpful[0]["url"].startswith(server.demo[:30])

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget.png"))


def test_off_topic_question_shows_the_not_covered_state(page: Page, server: Server):
    page.goto(server.demo)
    open_with_keyboard(page)
    page.keyboard.type("What is the best recipe for a sourdough starter?")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The sessions don't cover this", exact=True)).to_be_visible(
        timeout=30_000)


def test_focus_is_trapped_and_escape_returns_it_to_the_launcher(page: Page, server: Server):
    page.goto(server.demo)
    open_with_keyboard(page)
    in_panel = "el => !!el.shadowRoot.activeElement?.closest('.panel')"
    host = page.locator("learning-companion-widget")
    for _ in range(8):
        page.keyboard.press("Tab")
        assert host.evaluate(in_panel)
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        assert host.evaluate(in_panel)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Ask the sessions")).to_be_hidden()
    assert has_focus(launcher_of(page))
    expect(launcher_of(page)).to_have_attribute("aria-expanded", "false")


def test_panel_fits_a_320px_screen_and_respects_reduced_motion(page: Page, server: Server):
    page.set_viewport_size({"width": 320, "height": 640})
    page.emulate_media(reduced_motion="reduce")
    page.goto(server.demo)
    dialog = open_with_keyboard(page)
    box = dialog.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert box["y"] >= 0 and box["y"] + box["height"] <= 640
    expect(page.get_by_label("Your question")).to_be_in_viewport()
    expect(dialog.get_by_role("button", name="Close")).to_be_in_viewport()
    assert dialog.evaluate("el => getComputedStyle(el).animationName") == "none"
    # The host page's CSS (e.g. `[role=dialog] {display: none !important}`) does not reach in.
    assert dialog.evaluate("el => getComputedStyle(el).display") == "flex"


def test_optional_tabs_follow_the_server_features(page: Page, server: Server):
    features = httpx.get(f"{server.base}/widget/config").json()["features"]
    page.goto(server.demo)
    dialog = open_with_keyboard(page)
    for feature, name in (("tips", "Top tips"), ("peers", "Who to talk to")):
        tab = dialog.get_by_role("tab", name=name)
        if features[feature]:
            expect(tab).to_be_visible()
        else:
            expect(tab).to_be_hidden()
    if not features["peers"]:
        return
    dialog.get_by_role("tab", name="Who to talk to").click()
    topic = dialog.get_by_label("What do you want to learn about?")
    topic.fill("writing a submission for a minister")
    topic.press("Enter")
    # No people directory is loaded here, so nobody may be suggested: the widget says so.
    expect(dialog.get_by_text("Nobody has spoken about this in the sessions yet.")).to_be_visible(
        timeout=30_000)

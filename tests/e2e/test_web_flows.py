"""Citations into the transcript view, Top tips on /demo, and the facilitator console, in Chromium.

Set WEB_SHOTS_DIR=/tmp/web-shots to keep screenshots of the widget with linked sources, the
transcript view and the console.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.live import QUESTION, Server
from e2e.test_widget import launcher_of

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("WEB_SHOTS_DIR")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name))


def open_widget(page: Page, server: Server):
    page.goto(server.demo)
    launcher_of(page).click()
    dialog = page.get_by_role("dialog", name="Ask the sessions")
    expect(dialog).to_be_visible()
    return dialog


def test_a_citation_opens_the_transcript_at_the_cited_turn(page: Page, server: Server):
    page.set_viewport_size({"width": 1100, "height": 760})
    dialog = open_widget(page, server)
    question = dialog.get_by_label("Your question")
    question.fill(QUESTION)
    question.press("Enter")
    answer = dialog.get_by_role("article", name="Answer 1")
    expect(answer).to_have_attribute("aria-busy", "false", timeout=30_000)
    answer.locator(".ref").first.click()  # [1] opens the first source
    link = answer.locator(".sources details").first.get_by_role("link")
    expect(link).to_have_text(re.compile(r"Open the transcript at \d+:\d\d"))
    quote = answer.locator(".sources blockquote").first.inner_text().strip("“”")
    shot(page, "widget-linked-sources.png")

    with page.context.expect_page() as opened:
        link.click()
    transcript = opened.value
    transcript.wait_for_load_state()
    assert "sig=" in transcript.url and server.widget_key not in transcript.url
    landed = transcript.locator(".turn.at")
    expect(landed).to_have_count(1)
    expect(landed).to_contain_text(quote)
    expect(landed).to_be_in_viewport()
    seconds = int(transcript.url.rsplit("#t=", 1)[1])
    assert landed.get_attribute("data-start") is not None
    assert float(landed.get_attribute("data-start") or 0) <= seconds + 0.5
    shot(transcript, "transcript-view.png")

    # the same page without its signature is refused, as a page a person can read
    unsigned = transcript.request.get(transcript.url.split("?")[0])
    assert unsigned.status == 401 and "citation link" in unsigned.text()


def test_top_tips_render_on_the_demo_page(page: Page, server: Server):
    dialog = open_widget(page, server)
    dialog.get_by_role("tab", name="Top tips").click()
    tip = dialog.locator("#lc-view-tips .item").first
    expect(tip).to_be_visible(timeout=30_000)
    expect(dialog.get_by_text("not allowed")).to_have_count(0)
    heading = tip.get_by_role("heading").get_by_role("link")
    expect(heading).to_have_attribute("href", re.compile(r"/tips/tip-"))
    tip.locator("summary").click()
    expect(tip.get_by_role("link", name=re.compile("Writing submissions workshop"))).to_be_visible()


def test_console_sign_in_and_approve_a_tip(page: Page, server: Server):
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{server.base}/console")
    page.get_by_label("Admin key").fill(server.widget_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not an active admin key")
    page.get_by_label("Admin key").fill(server.admin_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Impact")).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    shot(page, "console-impact.png")

    page.get_by_role("link", name="Tip moderation").click()
    first = page.locator("article.tip").first
    tip_id = first.get_attribute("id")
    first.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text(f"approve: {tip_id}")
    expect(page.locator(f"article.tip[id='{tip_id}']")).to_have_count(0)
    shot(page, "console-moderation.png")

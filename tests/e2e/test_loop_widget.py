"""The learning loop in the widget, in headless Chromium against a real `companion serve`:
"I'll try this" on a tip, then "How did it go?" in My tries, and the outcome on the tip."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from e2e.live import Server

pytestmark = pytest.mark.e2e

REFLECTION = "I led with the decision and the private office replied the same day"


def embed(page: Page, server: Server, learner: str) -> None:
    """An intranet page (served at the server's own origin) that embeds the widget for a learner."""
    html = (f'<!doctype html><html lang="en"><head><title>Intranet</title></head><body>'
            f'<main><h1>Intranet</h1></main><script src="{server.base}/widget.js" '
            f'data-key="{server.widget_key}" data-learner="{learner}" async></script>'
            '</body></html>')

    def fulfill(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=html)

    page.route(f"{server.base}/intranet-page", fulfill)
    page.goto(f"{server.base}/intranet-page")


def test_a_learner_tries_a_tip_and_says_how_it_went(page: Page, server: Server) -> None:
    embed(page, server, "learner-e2e")
    page.get_by_role("button", name="Ask the sessions").click()
    dialog = page.get_by_role("dialog", name="Ask the sessions")
    dialog.get_by_role("tab", name="Top tips").click()
    first = dialog.locator("article.item").first
    expect(first).to_be_visible(timeout=30_000)
    tip_text = first.locator("h3").inner_text()
    first.get_by_role("button", name="I'll try this").click()
    expect(first.get_by_text("Noted. We'll ask how it went in 7 days")).to_be_visible()

    dialog.get_by_role("tab", name="My tries").click()
    item = dialog.locator("#lc-view-tries article.item").first
    expect(item.locator("h3")).to_have_text(tip_text)
    item.get_by_role("button", name="Tell us now").click()
    item.get_by_label("It worked").check()
    item.get_by_label("What happened? (optional)").fill(REFLECTION)
    item.get_by_label("Share what happened, without my name", exact=False).check()
    item.get_by_role("button", name="Save").click()
    expect(dialog.get_by_text("It worked · shared without your name")).to_be_visible(
        timeout=30_000)

    admin = {"Authorization": f"Bearer {server.admin_key}"}
    tips = httpx.get(f"{server.base}/v1/tips", headers=admin).json()
    tip = next(t for t in tips if t["text"] == tip_text)
    shown = httpx.get(f"{server.base}/v1/tips/{tip['id']}", headers=admin).json()
    assert shown["outcomes"]["tried"] == 1 and shown["outcomes"]["worked"] == 1
    assert [r["quote"] for r in shown["reflections"]] == [REFLECTION]

    # Removing it takes it off the tip too.
    dialog.locator("#lc-view-tries article.item").first.get_by_role("button", name="Remove").click()
    expect(dialog.get_by_text("Nothing yet")).to_be_visible(timeout=30_000)
    again = httpx.get(f"{server.base}/v1/tips/{tip['id']}", headers=admin).json()
    assert again["outcomes"]["tried"] == 0 and again["reflections"] == []

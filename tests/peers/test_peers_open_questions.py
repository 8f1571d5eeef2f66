"""Who to ask about an open question, as a learner reads it in the open-questions report."""

from __future__ import annotations

from companion.features.summaries.models import (
    CorpusQuestion,
    OpenQuestion,
    PeerRef,
)
from companion.features.summaries.render import MarkdownRenderer
from companion.features.summaries.render_html import HtmlRenderer

PEER = PeerRef(person_id="selin", name="Selin Okonkwo-Hale", role="Lab scientist",
               reason="Spoke about it in 3 sessions", contact="mailto:selin@example.org")


def _question() -> CorpusQuestion:
    asked = OpenQuestion(question="Who calibrates the spectrometer after a power cut?",
                         asked_by="Bram", reason="nobody answered")
    return CorpusQuestion(session_id="lab-week-1", session_title="Lab week 1", question=asked,
                          peers=[PEER])


def test_open_question_peers_show_role_why_and_a_mailto_link():
    md = MarkdownRenderer().open_questions([_question()])
    line = next(x for x in md.splitlines() if "Selin" in x)
    assert "Lab scientist" in line and "Spoke about it in 3 sessions" in line
    assert "(<mailto:selin@example.org>)" in line and "mailto:mailto:" not in line
    html = HtmlRenderer().open_questions([_question()])
    assert 'href="mailto:selin@example.org"' in html and "Lab scientist" in html


def test_a_contact_that_is_no_email_is_shown_as_written_without_a_link():
    room = _question()
    room.peers = [PEER.model_copy(update={"contact": "Room 4, ext. 221"})]
    md = MarkdownRenderer().open_questions([room])
    assert "Room 4, ext. 221" in md and "mailto:" not in md

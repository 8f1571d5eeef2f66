"""Extractive answers: the reply to a question asked in a session, no filler, by session."""

from __future__ import annotations

from companion.core.schemas import Turn
from companion.core.terms import content_terms
from companion.features.ask.confidence import FEATURES, question_features
from companion.features.ask.extractive import ExtractiveGenerator, is_filler
from companion.features.ask.service import AnswerService
from companion.retrieval.context import Context
from companion.retrieval.hybrid import Retrieval, RetrievedChunk


class Turns:
    """A catalog stand-in: the turns of each session."""

    def __init__(self, sessions: dict[str, list[tuple[str, str]]]) -> None:
        self.sessions = {
            s: [Turn(index=i, speaker=sp, text=t) for i, (sp, t) in enumerate(turns)]
            for s, turns in sessions.items()
        }

    def turns(self, session_id: str, start: int = 0, end: int | None = None) -> list[Turn]:
        hi = end if end is not None else 10**9
        return [t for t in self.sessions[session_id] if start <= t.index <= hi]


def chunk(session: str, start: int, end: int, p: float) -> RetrievedChunk:
    return RetrievedChunk(
        id=f"{session}-{start}",
        session_id=session,
        session_title=session.title(),
        text="",
        speakers=[],
        turn_start=start,
        turn_end=end,
        start=None,
        end=None,
        similarity=0.5,
        probability=p,
        score=p,
        lexical_score=1.0,
    )


def test_the_reply_to_the_question_asked_in_a_session_is_quoted() -> None:
    catalog = Turns(
        {
            "s1": [
                ("Ana", "How should we price the new kettle for students?"),
                ("Ben", "Keep it under thirty euros so that a first-year can afford one."),
                ("Ana", "The price of the new kettle matters to students; they compare kettles."),
            ]
        }
    )
    retrieval = Retrieval(
        "How should we price the new kettle for students?", [chunk("s1", 1, 2, 0.9)], 0.5
    )
    answer = ExtractiveGenerator(catalog, max_sentences=1).compose(retrieval)  # type: ignore[arg-type]
    assert answer.citations[0].speaker == "Ben"
    assert "under thirty euros" in answer.answer


def test_housekeeping_and_filler_are_not_quoted() -> None:
    q = set(content_terms("What did they decide about the battery?"))
    assert is_filler(frozenset(content_terms("Thanks everyone for coming today, welcome.")), q)
    assert is_filler(frozenset(content_terms("Yeah, okay, right.")), q)
    assert not is_filler(
        frozenset(content_terms("The battery should last two years with the solar cell.")), q
    )


def test_citations_are_grouped_by_session_and_weak_chunks_dropped() -> None:
    catalog = Turns(
        {
            "a": [
                ("X", "The remote control needs a rubber case for grip."),
                ("Y", "Kinetic batteries cost more than regular batteries here."),
                ("Z", "Rubber cases and batteries were the two open questions."),
            ],
            "b": [("W", "Plastic cases for the remote control break too easily, they said.")],
        }
    )
    chunks = [
        chunk("a", 2, 2, 0.9),
        chunk("b", 0, 0, 0.8),
        chunk("a", 0, 0, 0.7),
        chunk("a", 1, 1, 0.05),
    ]
    retrieval = Retrieval("What case and batteries for the remote control?", chunks, 0.5)
    answer = ExtractiveGenerator(catalog, 5, min_relative=0.3).compose(retrieval)  # type: ignore[arg-type]
    cited = [(c.session_id, c.turn_start) for c in answer.citations]
    assert cited == [("a", 0), ("a", 2), ("b", 0)]  # session a first, in turn order; 0.05 dropped


def test_confidence_features_are_finite_for_a_thin_retrieval() -> None:
    retrieval = Retrieval("battery life", [chunk("a", 0, 0, 0.4)], 0.3)
    x = question_features(retrieval)
    assert len(x) == len(FEATURES)
    assert all(abs(v) < 100 for v in x)


def test_answers_carry_a_confidence_and_off_topic_abstains(samples_ctx: Context) -> None:
    service = AnswerService(samples_ctx)
    answered = service.ask("Where should the recommendation go in a submission?")
    off = service.ask("What is the tallest mountain in South America?")
    assert not answered.abstained and answered.citations
    assert answered.confidence is not None and 0.0 < answered.confidence <= 1.0
    assert off.abstained and not off.citations
    assert off.confidence is not None and off.confidence < answered.confidence


def test_a_reply_is_quoted_by_its_sentence_on_the_question_not_its_opener() -> None:
    catalog = Turns(
        {
            "s1": [
                ("Ana", "How do we keep the night shift handover short?"),
                (
                    "Ben",
                    "Well, I'd say it depends, honestly, more than people admit. "
                    "Keep the handover short by writing the three open jobs on the board first.",
                ),
            ]
        }
    )
    retrieval = Retrieval(
        "How do we keep the night shift handover short?", [chunk("s1", 1, 1, 0.9)], 0.5
    )
    answer = ExtractiveGenerator(catalog, max_sentences=1).compose(retrieval)  # type: ignore[arg-type]
    assert "three open jobs" in answer.answer
    assert "depends" not in answer.answer


def test_answers_quote_the_most_probable_chunks_whatever_the_search_order() -> None:
    # Retrieval diversifies its first places; the answer still quotes the best chunk first.
    catalog = Turns(
        {
            "a": [("X", "The battery lasts two years with the solar cell on top.")],
            "b": [("Y", "The battery door needs a screw so children cannot open it.")],
        }
    )
    retrieval = Retrieval(
        "How long does the battery last?", [chunk("b", 0, 0, 0.5), chunk("a", 0, 0, 0.9)], 0.5
    )
    answer = ExtractiveGenerator(catalog, max_sentences=1).compose(retrieval)  # type: ignore[arg-type]
    assert answer.citations[0].session_id == "a"

from companion.core.grounding import GroundingVerifier, split_cited_sentences
from companion.core.schemas import Answer, Citation, Session, Turn
from companion.storage.catalog import Catalog


def _catalog(tmp_path) -> Catalog:
    catalog = Catalog(tmp_path / "c.sqlite3")
    turns = [
        Turn(
            index=0,
            speaker="Ann",
            text="Always lead with the recommendation. Ministers read the top.",
        ),
        Turn(index=1, speaker="Bo", text="Keep the annex for the detail."),
    ]
    catalog.replace_session(
        Session(id="s1", title="T", source="x", content_hash="h", turns=turns), []
    )
    return catalog


def _cite(quote: str, turn: int = 0, speaker: str = "Ann") -> Citation:
    return Citation(
        session_id="s1",
        session_title="T",
        speaker=speaker,
        start=None,
        end=None,
        turn_start=turn,
        turn_end=turn,
        quote=quote,
    )


def test_split_cited_sentences():
    got = split_cited_sentences("One thing. [1] Two things [2][3] No cite.")
    assert got == [("One thing.", [1]), ("Two things", [2, 3]), ("No cite.", [])]


def test_verbatim_quotes_are_kept(tmp_path):
    v = GroundingVerifier(_catalog(tmp_path))
    answer = Answer(
        question="q",
        abstained=False,
        answer="Always lead with the recommendation. [1]",
        citations=[_cite("Always lead with the recommendation.")],
    )
    out = v.verify(answer)
    assert out.verification.kept == 1 and out.verification.dropped == 0
    assert out.citations == answer.citations


def test_hallucinations_wrong_quotes_and_missing_citations_are_dropped(tmp_path):
    v = GroundingVerifier(_catalog(tmp_path))
    answer = Answer(
        question="q",
        abstained=False,
        answer=(
            "Always lead with the recommendation. [1] The minister prefers Tuesdays. [1] "
            "Use an annex for detail. [2] Nobody reads annexes. [3] Something uncited."
        ),
        citations=[
            _cite("Always lead with the recommendation."),
            _cite("Keep the annex for the detail.", turn=1, speaker="Bo"),
            _cite("Annexes are never read.", turn=1, speaker="Bo"),  # not in the turn
        ],
    )
    out = v.verify(answer)
    assert out.answer == "Always lead with the recommendation. [1] Use an annex for detail. [2]"
    assert [c.quote for c in out.citations] == [
        "Always lead with the recommendation.",
        "Keep the annex for the detail.",
    ]
    assert out.verification.kept == 2 and out.verification.dropped == 3
    reasons = {d.sentence: d.reason for d in out.verification.dropped_sentences}
    assert reasons["Something uncited."] == "no citation"
    assert reasons["Nobody reads annexes."] == "quote not found in the cited turns"
    assert reasons["The minister prefers Tuesdays."].startswith("not supported")


def test_citation_with_wrong_speaker_or_turn_is_invalid(tmp_path):
    v = GroundingVerifier(_catalog(tmp_path))
    assert v.citation_is_valid(_cite("Ministers read the top."))
    assert not v.citation_is_valid(_cite("Ministers read the top.", speaker="Bo"))
    assert not v.citation_is_valid(_cite("Ministers read the top.", turn=1, speaker="Bo"))
    assert v.citation_is_valid(_cite("ministers   READ the top."))  # case and whitespace

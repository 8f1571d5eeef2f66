from companion.core.schemas import Session, Turn
from companion.core.settings import Settings
from ingest.chunking import Chunker, split_sentences, tokenizer_counter

COUNT = tokenizer_counter(Settings().resolved_model_path())


def _session(turns: list[tuple[str, str]]) -> Session:
    return Session(
        id="s1",
        title="t",
        turns=[
            Turn(index=i, speaker=s, text=t, start=i * 10.0, end=i * 10.0 + 8)
            for i, (s, t) in enumerate(turns)
        ],
    )


def test_short_turns_merge_up_to_the_budget_and_keep_their_range():
    session = _session(
        [
            ("Ann", "Lead with the ask."),
            ("Bo", "Agreed, put it first."),
            ("Ann", "And keep it short."),
        ]
    )
    chunks = Chunker(COUNT, max_tokens=64).chunk(session)
    assert len(chunks) == 1
    c = chunks[0]
    assert (c.turn_start, c.turn_end, c.start, c.end) == (0, 2, 0.0, 28.0)
    assert c.speakers == ["Ann", "Bo"]
    assert c.text.splitlines()[1] == "Bo: Agreed, put it first."


def test_no_chunk_exceeds_the_token_budget_and_long_turns_split_at_sentences():
    long_turn = " ".join(
        f"Sentence number {i} is about briefing the minister early." for i in range(60)
    )
    session = _session([("Ann", "Hello."), ("Bo", long_turn), ("Ann", "Thanks.")])
    chunks = Chunker(COUNT, max_tokens=96).chunk(session)
    assert all(COUNT([c.text])[0] <= 96 for c in chunks)
    pieces = [c for c in chunks if c.turn_start == c.turn_end == 1]
    assert len(pieces) > 3
    assert all(p.text.startswith("Bo: Sentence number") and p.text.endswith(".") for p in pieces)
    # every word of the long turn is indexed exactly once
    body = " ".join(p.text.removeprefix("Bo: ") for p in pieces)
    assert body == long_turn


def test_chunk_ids_depend_only_on_content():
    a = Chunker(COUNT, 64).chunk(_session([("Ann", "One."), ("Bo", "Two.")]))
    b = Chunker(COUNT, 64).chunk(_session([("Ann", "One."), ("Bo", "Two.")]))
    c = Chunker(COUNT, 64).chunk(_session([("Ann", "One."), ("Bo", "Three.")]))
    assert [x.id for x in a] == [x.id for x in b]
    assert a[0].id != c[0].id


def test_sentence_split_keeps_every_word():
    text = "First point. Second? Yes! “Quoted.” Last one"
    assert split_sentences(text) == ["First point.", "Second?", "Yes!", "“Quoted.”", "Last one"]

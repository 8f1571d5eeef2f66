"""Transcript and notes parsers: what a user sees for good files and for every kind of bad one."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from companion.core.errors import TranscriptParseError
from ingest.parsers import (
    PARSER_VERSION,
    SUPPORTED_EXTENSIONS,
    discover,
    load_session,
    slugify,
)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def parse_error(path: Path) -> TranscriptParseError:
    with pytest.raises(TranscriptParseError) as caught:
        load_session(path)
    return caught.value


# --- WebVTT ---------------------------------------------------------------------------------

GOOD_VTT = """WEBVTT
Kind: captions

NOTE exported from the meeting tool

STYLE
::cue { color: white }

intro-1
00:00:01.000 --> 00:00:04.000 align:start position:10%
<v Alice Smith>So the trick with onboarding &amp; pairing is

00:00:04.000 --> 00:00:06.500
<v Alice Smith>to start on day one.</v>

00:00:07.000 --> 00:00:09.000
<v.loud Bob>Right. <i>Totally</i> <c.yellow>agree</c>.

00:00:09.000 --> 00:00:10.000
<v Bob>And the buddy should be senior.

00:10.500 --> 00:12.000
Carol O'Neil: What about <00:00:11.000>remote &lt;hires&gt;?

00:00:12.000 --> 00:00:13.000
<v Carol O'Neil><i></i>
"""


def test_vtt_turns_speakers_times_and_defaults(tmp_path: Path) -> None:
    session = load_session(write(tmp_path, "Team Sync 2024.vtt", GOOD_VTT))

    assert [(t.index, t.speaker, t.text, t.start, t.end) for t in session.turns] == [
        (
            0,
            "Alice Smith",
            "So the trick with onboarding & pairing is to start on day one.",
            1.0,
            6.5,
        ),
        (1, "Bob", "Right. Totally agree.", 7.0, 9.0),
        (2, "Bob", "And the buddy should be senior.", 9.0, 10.0),
        (3, "Carol O'Neil", "What about remote <hires>?", 10.5, 12.0),
    ]
    assert session.id == "team-sync-2024"
    assert session.title == "Team Sync 2024"
    assert session.kind is None and session.date is None
    assert session.consent is True
    assert session.source == str((tmp_path / "Team Sync 2024.vtt").resolve())
    assert session.speakers == ["Alice Smith", "Bob", "Carol O'Neil"]


def test_vtt_merges_same_speaker_only_while_the_sentence_continues(tmp_path: Path) -> None:
    vtt = """WEBVTT

00:01.000 --> 00:02.000
<v Ann>We tried pairing

00:02.000 --> 00:03.000
<v Ann>for a month.

00:03.000 --> 00:04.000
<v Ann>He said "stop."

00:04.000 --> 00:05.000
<v Ann>Then we stopped
"""
    session = load_session(write(tmp_path, "merge.vtt", vtt))

    assert [t.text for t in session.turns] == [
        "We tried pairing for a month.",
        'He said "stop."',
        "Then we stopped",
    ]
    assert (session.turns[0].start, session.turns[0].end) == (1.0, 3.0)


def test_vtt_does_not_merge_different_speakers(tmp_path: Path) -> None:
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>so\n\n00:02.000 --> 00:03.000\n<v Ben>yes\n"
    session = load_session(write(tmp_path, "two.vtt", vtt))

    assert [(t.speaker, t.text) for t in session.turns] == [("Ann", "so"), ("Ben", "yes")]


def test_vtt_cue_without_speaker_names_its_timing_line(tmp_path: Path) -> None:
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>Hi.\n\n00:02.000 --> 00:03.000\njust words\n"
    error = parse_error(write(tmp_path, "nospeaker.vtt", vtt))

    assert error.line == 6
    assert "cue has no speaker (expected <v Name> or 'Name: ' at the start)" in error.reason
    assert str(error).startswith(f"{tmp_path / 'nospeaker.vtt'}:6: ")


def test_vtt_missing_header_is_reported_on_line_1(tmp_path: Path) -> None:
    error = parse_error(write(tmp_path, "noheader.vtt", "00:01.000 --> 00:02.000\n<v A>Hi\n"))

    assert error.line == 1
    assert "missing WEBVTT header" in error.reason


@pytest.mark.parametrize(
    ("timing", "reason"),
    [
        ("00:00:0x.000 --> 00:00:02.000", "malformed timestamp '00:00:0x.000'"),
        ("00:00:01.000 --> ", "malformed timestamp '00:00:01.000 -->'"),
        ("00:61:00.000 --> 01:02:00.000", "malformed timestamp '00:61:00.000'"),
        ("00:00:05.000 --> 00:00:04.000", "cue ends before it starts"),
    ],
)
def test_vtt_bad_timing_line_is_reported_with_its_line(
    tmp_path: Path, timing: str, reason: str
) -> None:
    vtt = f"WEBVTT\n\n{timing}\n<v Ann>Hi\n"
    error = parse_error(write(tmp_path, "bad.vtt", vtt))

    assert (error.line, error.reason) == (3, reason)


def test_vtt_backwards_timestamp_names_both_times(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\n00:00:09.000 --> 00:00:10.000\n<v Ann>Later.\n\n"
        "00:00:05.000 --> 00:00:06.000\n<v Ann>Earlier.\n"
    )
    error = parse_error(write(tmp_path, "order.vtt", vtt))

    assert error.line == 6
    assert error.reason == (
        "timestamp out of order: 00:00:05.000 starts before the previous cue (00:00:09.000)"
    )


def test_vtt_block_without_timing_line_is_reported(tmp_path: Path) -> None:
    vtt = "WEBVTT\n\nid-1\n<v Ann>no timing here\n"
    error = parse_error(write(tmp_path, "notiming.vtt", vtt))

    assert error.line == 3
    assert "no timing line" in error.reason


def test_vtt_with_only_empty_cues_is_an_error(tmp_path: Path) -> None:
    error = parse_error(
        write(tmp_path, "blank.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<b></b>\n")
    )

    assert "no cues with text" in error.reason


# --- SRT ------------------------------------------------------------------------------------

GOOD_SRT = """1
00:00:01,000 --> 00:00:03,000
Alice: I always write the
<i>agenda first</i>.

2
00:00:03,500 --> 00:00:05,000
[Bob] Same here.

3
00:00:06,000 --> 00:00:08,250
{\\an8}Music fades out.

4
00:00:09,000 --> 00:00:10,000
Dana: Because it keeps

5
00:00:10,000 --> 00:00:11,000
everyone honest.
"""


def test_srt_speakers_texts_times_and_merge(tmp_path: Path) -> None:
    session = load_session(write(tmp_path, "talk.srt", GOOD_SRT))

    assert [(t.index, t.speaker, t.text, t.start, t.end) for t in session.turns] == [
        (0, "Alice", "I always write the agenda first.", 1.0, 3.0),
        (1, "Bob", "Same here.", 3.5, 5.0),
        (2, None, "Music fades out.", 6.0, 8.25),
        # The unnamed cue finishes Dana's sentence, so it is hers.
        (3, "Dana", "Because it keeps everyone honest.", 9.0, 11.0),
    ]


def test_srt_merges_unnamed_cues_only_while_the_sentence_continues(tmp_path: Path) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nwe kept going\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nuntil noon.\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\nThen lunch.\n"
    )
    session = load_session(write(tmp_path, "subs.srt", srt))

    assert [(t.speaker, t.text, t.start, t.end) for t in session.turns] == [
        (None, "we kept going until noon.", 1.0, 3.0),
        (None, "Then lunch.", 3.0, 4.0),
    ]


def test_srt_sound_description_in_brackets_is_not_a_speaker(tmp_path: Path) -> None:
    srt = "1\n00:00:01,000 --> 00:00:02,000\n[MUSIC]\n"
    session = load_session(write(tmp_path, "music.srt", srt))

    assert [(t.speaker, t.text) for t in session.turns] == [(None, "[MUSIC]")]


def test_srt_block_missing_its_timing_line_names_the_line(tmp_path: Path) -> None:
    srt = "1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n2\nNo timing here.\n"
    error = parse_error(write(tmp_path, "notiming.srt", srt))

    assert error.line == 6
    assert "subtitle block has no timing line" in error.reason


@pytest.mark.parametrize(
    ("second_timing", "line", "reason"),
    [
        ("00:00:0a,000 --> 00:00:05,000", 6, "malformed timestamp '00:00:0a,000'"),
        ("00:00:04,000 --> 00:00:03,000", 6, "cue ends before it starts"),
        (
            "00:00:00,500 --> 00:00:01,000",
            6,
            "timestamp out of order: 00:00:00,500 starts before the previous cue (00:00:01,000)",
        ),
    ],
)
def test_srt_bad_timestamps_name_the_line(
    tmp_path: Path, second_timing: str, line: int, reason: str
) -> None:
    srt = f"1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n2\n{second_timing}\nAgain.\n"
    error = parse_error(write(tmp_path, "bad.srt", srt))

    assert (error.line, error.reason) == (line, reason)


# --- plain text -----------------------------------------------------------------------------

GOOD_TXT = """[00:00:05] Priya Raman: Welcome to the lunch and learn.
Today is about code review.

[00:01:10] Sam O'Connor: Thanks. Note: see https://example.com for slides
that we shared at 10:30 yesterday.
(00:02:00) Priya Raman: Great.
Speaker 2: An unstamped question.
[02:30] Priya Raman: Last words.
"""


def test_plaintext_speakers_continuations_and_times(tmp_path: Path) -> None:
    session = load_session(write(tmp_path, "lunch.txt", GOOD_TXT))

    assert [(t.index, t.speaker, t.text, t.start, t.end) for t in session.turns] == [
        (0, "Priya Raman", "Welcome to the lunch and learn. Today is about code review.", 5, 70),
        (
            1,
            "Sam O'Connor",
            "Thanks. Note: see https://example.com for slides that we shared at 10:30 yesterday.",
            70,
            120,
        ),
        (2, "Priya Raman", "Great.", 120, 150),
        (3, "Speaker 2", "An unstamped question.", None, None),
        (4, "Priya Raman", "Last words.", 150, None),
    ]


def test_plaintext_text_before_first_speaker_names_the_line(tmp_path: Path) -> None:
    error = parse_error(write(tmp_path, "intro.txt", "\nRecorded on Monday\nAnn: Hi.\n"))

    assert (error.line, error.reason) == (2, "text before the first 'Speaker: ' line")


def test_plaintext_without_any_speaker_line(tmp_path: Path) -> None:
    error = parse_error(write(tmp_path, "prose.txt", "just some prose\nwith no names\n"))

    assert error.reason == "no 'Speaker: text' lines found"


def test_plaintext_backwards_timestamp_names_the_line(tmp_path: Path) -> None:
    txt = "[00:05:00] Ann: Later.\n[00:04:00] Ben: Earlier.\n"
    error = parse_error(write(tmp_path, "order.txt", txt))

    assert error.line == 2
    assert error.reason.startswith("timestamp out of order: 00:04:00 starts before")


def test_plaintext_malformed_stamp_names_the_line(tmp_path: Path) -> None:
    error = parse_error(write(tmp_path, "stamp.txt", "Ann: Hi.\n[12:7x] Ben: Hello.\n"))

    assert error.line == 2
    assert error.reason.startswith("malformed timestamp '[12:7x]'")


# --- JSON transcript ------------------------------------------------------------------------


def test_json_transcript_turns_and_metadata(tmp_path: Path) -> None:
    document = {
        "id": "Mentoring #4",
        "title": "Mentoring: estimates",
        "date": "2024-05-02",
        "kind": "mentoring",
        "facilitator": "Lee",
        "series": "Mentoring",
        "consent": False,
        "turns": [
            {"speaker": "Lee", "text": "  Estimate   in ranges. ", "start": 0, "end": 4.5},
            {"speaker": None, "text": "Why?", "start": 4.5, "end": None},
            {"speaker": "Ray", "text": "", "start": None, "end": None},
        ],
    }
    session = load_session(write(tmp_path, "m4.json", json.dumps(document)))

    assert [(t.index, t.speaker, t.text, t.start, t.end) for t in session.turns] == [
        (0, "Lee", "Estimate in ranges.", 0.0, 4.5),
        (1, None, "Why?", 4.5, None),
        (2, "Ray", "", None, None),
    ]
    assert session.id == "mentoring-4"
    assert (session.title, session.date, session.kind) == (
        "Mentoring: estimates",
        "2024-05-02",
        "mentoring",
    )
    assert (session.facilitator, session.series, session.consent) == ("Lee", "Mentoring", False)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    error = parse_error(write(tmp_path, "broken.json", '{\n  "turns": [\n    {"text": "hi",}\n]}'))

    assert error.line == 3
    assert error.reason.startswith("invalid JSON: ")


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (
            {"turns": [{"text": "a"}, {"text": "b", "start": "abc"}]},
            "turns[1].start: expected a number of seconds, got 'abc'",
        ),
        ({"turns": [{"text": 5}]}, "turns[0].text: expected text, got 5"),
        ({"turns": [{"speaker": "A"}]}, "turns[0].text: missing"),
        ({"turns": [{"text": "a", "speaker": ["x"]}]}, "turns[0].speaker: expected text or null"),
        ({"turns": ["hello"]}, "turns[0]: expected an object"),
        ({"turns": [{"text": "a", "start": -1}]}, "turns[0].start: negative time -1"),
        ({"turns": [{"text": "a", "start": 5, "end": 3}]}, "turns[0]: ends before it starts"),
        (
            {"turns": [{"text": "a", "start": 6}, {"text": "b", "start": 4}]},
            "turns[1].start: timestamp out of order: 4 starts before the previous turn (6)",
        ),
        ({"turns": [{"text": "a", "start": True}]}, "turns[0].start: expected a number"),
        ({"turns": "x"}, "turns: expected a list"),
        ({"title": "no turns"}, "expected an object with a 'turns' list"),
        ([1, 2], "expected an object with a 'turns' list"),
        ({"turns": []}, "no turns"),
        ({"turns": [{"text": "a"}], "date": "yesterday"}, "date 'yesterday' is not YYYY-MM-DD"),
        ({"turns": [{"text": "a"}], "consent": "yes"}, "consent: expected true or false"),
        ({"turns": [{"text": "a"}], "title": {"x": 1}}, "title: expected text"),
    ],
)
def test_json_wrong_shapes_name_the_json_path(
    tmp_path: Path, document: object, reason: str
) -> None:
    error = parse_error(write(tmp_path, "shape.json", json.dumps(document)))

    assert error.reason.startswith(reason)


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"turns": [{"text": "a", "start": 1e999}]}',
        '{"turns": [{"text": "a", "start": ' + "9" * 400 + "}]}",
        '{"turns": [{"text": "a", "start": ' + "9" * 5000 + "}]}",
    ],
    ids=["deep-nesting", "float-overflow", "huge-int", "int-over-digit-limit"],
)
def test_hostile_json_is_a_parse_error_not_a_crash(tmp_path: Path, content: str) -> None:
    error = parse_error(write(tmp_path, "hostile.json", content))

    assert error.path == str(tmp_path / "hostile.json")


# --- QMSum ----------------------------------------------------------------------------------


def qmsum(entries: list[dict[str, str]]) -> str:
    return json.dumps({"topic_list": [], "meeting_transcripts": entries})


def test_qmsum_ami_speakers_get_the_series_and_every_entry_keeps_its_index(
    tmp_path: Path,
) -> None:
    entries = [
        {"speaker": "Project Manager", "content": "Okay {vocalsound} let's start ."},
        {"speaker": "Marketing", "content": "{disfmarker} {gap}"},
        {"speaker": "Marketing", "content": "Um the  remote {nonvocalsound} control ."},
    ]
    session = load_session(write(tmp_path, "ES2011a.json", qmsum(entries)))

    assert [(t.index, t.speaker, t.text) for t in session.turns] == [
        (0, "Project Manager (ES2011)", "Okay let's start ."),
        (1, "Marketing (ES2011)", ""),
        (2, "Marketing (ES2011)", "Um the remote control ."),
    ]
    assert all(t.start is None and t.end is None for t in session.turns)
    assert (session.kind, session.title, session.id) == ("meeting", "ES2011a", "es2011a")


def test_qmsum_icsi_and_parliament_speaker_labels(tmp_path: Path) -> None:
    icsi = load_session(
        write(tmp_path, "Bro017.json", qmsum([{"speaker": "Professor B", "content": "So."}]))
    )
    other = load_session(
        write(
            tmp_path,
            "covid_1.json",
            qmsum([{"speaker": "Hon. Bill Blair (Minister of Public Safety)", "content": "Yes."}]),
        )
    )

    assert icsi.turns[0].speaker == "Professor B (Bro017)"
    assert other.turns[0].speaker == "Hon. Bill Blair"


def test_qmsum_malformed_entry_names_its_position(tmp_path: Path) -> None:
    document = json.dumps(
        {"meeting_transcripts": [{"speaker": "A", "content": "x"}, {"content": 3}]}
    )
    error = parse_error(write(tmp_path, "IS1000a.json", document))

    assert error.reason.startswith("meeting_transcripts[1].content: expected text, got 3")


# --- Markdown notes -------------------------------------------------------------------------

GOOD_MD = """---
title: Shadowing the on-call engineer
date: 2024-03-05
author: Dana Kim
series: Shadowing
---
# On-call day

Started with the **handover** note, see the [runbook](https://wiki/runbook)
and the `pager` app.

## Tips
- Read the last three incidents
  before your first shift.
- [x] Keep a __scratch__ file
1. Ask early
   when stuck.

```
# not a heading
kubectl get pods
```

### Open questions
> How do we rotate keys?
"""


def test_markdown_paragraphs_items_sections_and_front_matter(tmp_path: Path) -> None:
    session = load_session(write(tmp_path, "oncall.md", GOOD_MD))

    assert [(t.index, t.section, t.text) for t in session.turns] == [
        (0, "On-call day", "Started with the handover note, see the runbook and the pager app."),
        (1, "Tips", "Read the last three incidents before your first shift."),
        (2, "Tips", "Keep a scratch file"),
        (3, "Tips", "Ask early when stuck."),
        (4, "Tips", "# not a heading kubectl get pods"),
        (5, "Open questions", "How do we rotate keys?"),
    ]
    assert {t.speaker for t in session.turns} == {"Dana Kim"}
    assert all(t.start is None and t.end is None for t in session.turns)
    assert (session.title, session.date, session.kind, session.series) == (
        "Shadowing the on-call engineer",
        "2024-03-05",
        "notes",
        "Shadowing",
    )


def test_markdown_title_defaults_to_first_h1_then_file_stem(tmp_path: Path) -> None:
    with_h1 = load_session(write(tmp_path, "a.md", "Intro.\n\n# Retro notes\n\nWent well.\n"))
    without_h1 = load_session(write(tmp_path, "team-retro.markdown", "## Only H2\n\nText.\n"))

    assert with_h1.title == "Retro notes"
    assert without_h1.title == "team-retro"
    assert without_h1.turns[0].speaker is None


def test_markdown_speaker_falls_back_to_facilitator(tmp_path: Path) -> None:
    session = load_session(write(tmp_path, "f.md", "---\nfacilitator: Omar\n---\nA point.\n"))

    assert session.turns[0].speaker == "Omar"
    assert session.facilitator == "Omar"


def test_markdown_bad_front_matter_yaml_names_the_line(tmp_path: Path) -> None:
    md = "---\ntitle: ok\ndate: [2024-01-01\nauthor: x\n---\nText.\n"
    error = parse_error(write(tmp_path, "badfm.md", md))

    assert error.path == str(tmp_path / "badfm.md")
    assert error.line is not None and 3 <= error.line <= 5
    assert error.reason.startswith("invalid YAML: ")


@pytest.mark.parametrize(
    ("md", "line", "reason"),
    [
        ("---\n- a\n- b\n---\nText.\n", 2, "metadata must be a mapping"),
        ("---\ntitle: x\ndate: yesterday\n---\nText.\n", 3, "date 'yesterday' is not YYYY-MM-DD"),
        ("---\ntitle: x\nconsent: maybe\n---\nText.\n", 3, "consent: expected true or false"),
        ("---\ntitle: never closed\n\nText.\n", 1, "front matter opened with '---'"),
    ],
)
def test_markdown_front_matter_problems_name_the_line(
    tmp_path: Path, md: str, line: int, reason: str
) -> None:
    error = parse_error(write(tmp_path, "fm.md", md))

    assert error.line == line
    assert error.reason.startswith(reason)


def test_markdown_without_text_is_an_error(tmp_path: Path) -> None:
    error = parse_error(write(tmp_path, "headings.md", "---\ntitle: x\n---\n# Only\n## Headings\n"))

    assert error.reason == "no notes text found"


# --- metadata, sidecars and hashes ----------------------------------------------------------


def test_sidecar_overrides_in_file_metadata_and_defaults(tmp_path: Path) -> None:
    notes = write(tmp_path, "notes.md", "---\ntitle: From front matter\nauthor: Ann\n---\nText.\n")
    write(
        tmp_path,
        "notes.yaml",
        "title: From sidecar\nid: Q1 Retro\ndate: 2024-04-01\nauthor: Bea\nunknown: ignored\n",
    )
    session = load_session(notes)

    assert session.title == "From sidecar"
    assert session.id == "q1-retro"
    assert session.date == "2024-04-01"
    assert session.turns[0].speaker == "Bea"


def test_yml_sidecar_and_consent_false(tmp_path: Path) -> None:
    transcript = write(tmp_path, "call.txt", "Ann: Hi.\n")
    write(tmp_path, "call.yml", "consent: false\nkind: briefing\nfacilitator: Ann\n")
    session = load_session(transcript)

    assert session.consent is False
    assert (session.kind, session.facilitator) == ("briefing", "Ann")


def test_bad_sidecar_yaml_names_the_sidecar_and_line(tmp_path: Path) -> None:
    transcript = write(tmp_path, "call.txt", "Ann: Hi.\n")
    write(tmp_path, "call.yaml", "title: ok\nseries: [unclosed\n")
    error = parse_error(transcript)

    assert error.path == str(tmp_path / "call.yaml")
    assert error.line is not None
    assert error.reason.startswith("invalid YAML: ")


def test_sidecar_date_error_names_sidecar_line(tmp_path: Path) -> None:
    transcript = write(tmp_path, "call.txt", "Ann: Hi.\n")
    write(tmp_path, "call.yaml", "title: ok\n\ndate: 05/03/2024\n")
    error = parse_error(transcript)

    assert (error.path, error.line) == (str(tmp_path / "call.yaml"), 3)
    assert error.reason == "date '05/03/2024' is not YYYY-MM-DD"


def test_content_hash_covers_parser_version_file_and_sidecar(tmp_path: Path) -> None:
    transcript = write(tmp_path, "call.txt", "Ann: Hi.\n")
    bare = load_session(transcript).content_hash
    expected = hashlib.sha256(PARSER_VERSION.encode() + b"Ann: Hi.\n").hexdigest()
    assert bare == expected
    assert load_session(transcript).content_hash == bare

    write(tmp_path, "call.yaml", "title: One\n")
    first = load_session(transcript).content_hash
    write(tmp_path, "call.yaml", "title: Two\n")
    second = load_session(transcript).content_hash

    assert len({bare, first, second}) == 3


# --- input rules shared by every format -----------------------------------------------------


@pytest.mark.parametrize("name", ["e.vtt", "e.srt", "e.txt", "e.json", "e.md"])
@pytest.mark.parametrize("content", [b"", b"  \n\r\n\t \n"], ids=["zero-bytes", "whitespace"])
def test_empty_file(tmp_path: Path, name: str, content: bytes) -> None:
    error = parse_error(write(tmp_path, name, content))

    assert error.reason == "file is empty"


@pytest.mark.parametrize(
    "content",
    [b"Ann: hi\x00\x01\x02", bytes(range(1, 32)) * 10],
    ids=["nul-bytes", "control-characters"],
)
def test_binary_file(tmp_path: Path, content: bytes) -> None:
    error = parse_error(write(tmp_path, "photo.txt", content))

    assert error.reason == "binary file, not a transcript or notes"


def test_latin1_file_names_line_column_and_byte(tmp_path: Path) -> None:
    content = "Ann: Hello.\nBen: Hi.\nAnn: See you at caf\xe9 later.\n".encode("latin-1")
    error = parse_error(write(tmp_path, "latin.txt", content))

    assert error.line == 3
    assert error.reason == (
        "not UTF-8 text (byte 0xe9 at line 3, column 20); save the file as UTF-8"
    )
    assert str(error).startswith(f"{tmp_path / 'latin.txt'}:3: not UTF-8 text")


@pytest.mark.parametrize(
    "encoding", ["utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "crlf"]
)
def test_bom_encodings_and_crlf_are_accepted(tmp_path: Path, encoding: str) -> None:
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Zoë>Ça va? Très bien.\n"
    if encoding == "utf-16-le-bom":
        content = b"\xff\xfe" + text.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        content = b"\xfe\xff" + text.encode("utf-16-be")
    elif encoding == "crlf":
        content = text.replace("\n", "\r\n").encode()
    else:
        content = text.encode(encoding)
    session = load_session(write(tmp_path, "intl.vtt", content))

    assert [(t.speaker, t.text) for t in session.turns] == [("Zoë", "Ça va? Très bien.")]


def test_line_too_long_is_refused(tmp_path: Path) -> None:
    error = parse_error(write(tmp_path, "long.txt", "Ann: hi\n" + "x" * 100_001 + "\n"))

    assert error.line == 2
    assert error.reason.startswith("line too long")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("voices.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n" + "<v " * 33_000 + "\n"),
        ("tags.srt", "1\n00:00:01,000 --> 00:00:02,000\n" + "<{\\" * 33_000 + "\n"),
        ("links.md", "[a](" * 24_000 + "\n\n#" + " " * 99_000 + "x #\n"),
        ("stamps.txt", "Ann: hi\n" + "[1" * 49_000 + "\n"),
    ],
)
def test_hostile_long_lines_parse_quickly(tmp_path: Path, name: str, content: str) -> None:
    # Any super-linear regex would make this test hang rather than pass.
    path = write(tmp_path, name, content)
    try:
        load_session(path)
    except TranscriptParseError as error:
        assert error.path == str(path)


# --- discovery and API surface --------------------------------------------------------------


def test_discover_walks_folders_sorted_and_reports_unusable_paths(tmp_path: Path) -> None:
    root = tmp_path / "sessions"
    write(root, "b.vtt", GOOD_VTT)
    write(root, "a.md", "Text.\n")
    write(root, "a.yaml", "title: sidecar\n")
    write(root, "sub/c.TXT", "Ann: hi\n")
    write(root, "sub/d.yml", "x: 1\n")
    write(root, ".hidden.vtt", GOOD_VTT)
    write(root, ".git/e.md", "Text.\n")
    write(root, "slides.pdf", b"%PDF-1.4")
    explicit_doc = write(tmp_path, "handout.docx", b"PK")

    files, errors = discover([root, explicit_doc, tmp_path / "missing", root / "a.md"])

    assert files == [root / "a.md", root / "b.vtt", root / "sub" / "c.TXT"]
    assert [(e.path, e.reason.split(";")[0]) for e in errors] == [
        (str(root / "slides.pdf"), "unsupported file type '.pdf'"),
        (str(explicit_doc), "unsupported file type '.docx'"),
        (str(tmp_path / "missing"), "no such file or folder"),
    ]
    assert errors[0].reason.endswith("expected one of .json, .markdown, .md, .srt, .txt, .vtt")


def test_load_session_refuses_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    pdf = parse_error(write(tmp_path, "slides.pdf", b"%PDF"))
    missing = parse_error(tmp_path / "gone.vtt")

    assert pdf.reason.startswith("unsupported file type '.pdf'; expected one of .json")
    assert missing.reason == "no such file or folder"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Q1 Retro: What went well?", "q1-retro-what-went-well"),
        ("--Already-Slugged--", "already-slugged"),
        ("Zoë's notes", "zo-s-notes"),
        ("", "session"),
        ("!!!", "session"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_public_constants() -> None:
    assert SUPPORTED_EXTENSIONS == {".vtt", ".srt", ".txt", ".json", ".md", ".markdown"}
    assert isinstance(PARSER_VERSION, str) and PARSER_VERSION


def test_parsers_do_not_import_model_libraries() -> None:
    # Re-ingesting unchanged files must stay fast; parsing may not pull in torch or chromadb.
    code = (
        "import sys, ingest.parsers; "
        "heavy = [m for m in ('torch', 'sentence_transformers', 'chromadb') if m in sys.modules]; "
        "print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert result.stdout.strip() == "[]"


def test_exponential_yaml_aliases_fail_fast(tmp_path: Path) -> None:
    # "Billion laughs": each level repeats the one below nine times; 9**10 strings if expanded.
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    transcript = write(tmp_path, "laughs.txt", "Ann: Hi.\n")
    write(tmp_path, "laughs.yaml", "\n".join(levels) + "\ntitle: *a9\n")
    error = parse_error(transcript)

    assert error.reason == "title: expected text, got a list"


def test_deeply_nested_front_matter_is_a_parse_error(tmp_path: Path) -> None:
    md = "---\ntitle: " + "[" * 5_000 + "]" * 5_000 + "\n---\nText.\n"
    error = parse_error(write(tmp_path, "deep.md", md))

    assert (error.line, error.reason) == (None, "invalid YAML: nested too deeply")

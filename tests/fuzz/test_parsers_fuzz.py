"""Fuzzed transcripts and notes: every input gives a sane Session or a clear TranscriptParseError.

Never another exception, a crash or a hang (each example has a deadline). Inputs range from raw
bytes and odd encodings to format-shaped text that gets past the first line, so the fuzz reaches
timing, speaker, front-matter and JSON-path code.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from companion.core.errors import TranscriptParseError
from companion.core.schemas import Session
from fuzz.strategies import (
    ANY_CHAR,
    BOMS,
    ENCODINGS,
    JSON_VALUES,
    REPEATED,
    dump_json,
    json_transcripts,
    markdown_files,
    plaintext_files,
    qmsum_files,
    srt_files,
    vtt_files,
    yaml_documents,
)
from fuzz.support import FUZZ, assert_clear_error, assert_sane_session, count_lines
from ingest.parsers import SUPPORTED_EXTENSIONS, discover, load_session
from ingest.parsers.text import MAX_LINE_CHARS

EXTENSIONS = sorted(SUPPORTED_EXTENSIONS)


@dataclass
class Outcome:
    """What `load_session` did with one fuzzed file."""

    session: Session | None
    error: TranscriptParseError | None


def load_fuzzed(
    data: bytes, suffix: str, sidecar: bytes | None = None, *, record: bool = True
) -> Outcome:
    """Write `data` (and a sidecar) to a fresh folder, load it, and check the outcome is clean.

    With `record`, the outcome is a Hypothesis event, so `--hypothesis-show-statistics` shows
    how many examples got as far as a session and which errors stopped the rest.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "fuzzed" + suffix)
        path.write_bytes(data)
        paths = {str(path)}
        lines = {str(path): count_lines(data)}
        if sidecar is not None:
            sidecar_path = path.with_suffix(".yaml")
            sidecar_path.write_bytes(sidecar)
            paths.add(str(sidecar_path))
            lines[str(sidecar_path)] = count_lines(sidecar)
        try:
            session = load_session(path)
        except TranscriptParseError as error:
            assert_clear_error(error, paths, lines.get(error.path, 0))
            if record:
                event("error: " + re.split(r"[:'(]", error.reason)[0][:40])
            return Outcome(None, error)
        assert_sane_session(session)
        if record:
            event("session")
        return Outcome(session, None)


# --- properties -----------------------------------------------------------------------------


@settings(FUZZ, max_examples=300)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(EXTENSIONS))
def test_arbitrary_bytes_in_any_format(data: bytes, suffix: str) -> None:
    load_fuzzed(data, suffix)


@settings(FUZZ, max_examples=200)
@given(
    text=st.text(alphabet=ANY_CHAR, max_size=500),
    encoding=ENCODINGS,
    bom=BOMS,
    suffix=st.sampled_from(EXTENSIONS),
)
def test_any_text_in_any_encoding(text: str, encoding: str, bom: bytes, suffix: str) -> None:
    load_fuzzed(bom + text.encode(encoding, errors="replace"), suffix)


@settings(FUZZ, max_examples=300)
@given(text=vtt_files(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_webvtt_shaped_files(text: str, encoding: str) -> None:
    load_fuzzed(text.encode(encoding), ".vtt")


@settings(FUZZ, max_examples=300)
@given(text=srt_files())
def test_srt_shaped_files(text: str) -> None:
    load_fuzzed(text.encode("utf-8"), ".srt")


@settings(FUZZ, max_examples=300)
@given(text=plaintext_files())
def test_plaintext_shaped_files(text: str) -> None:
    load_fuzzed(text.encode("utf-8"), ".txt")


@settings(FUZZ, max_examples=300)
@example(text="---\nid: \x1f\n---", suffix=".md")  # PyYAML's ReaderError escaped
@example(text=(">" * 99_999 + "\n") * 20, suffix=".md")  # blockquote peeling was quadratic
@given(text=markdown_files(), suffix=st.sampled_from([".md", ".markdown"]))
def test_markdown_shaped_files(text: str, suffix: str) -> None:
    load_fuzzed(text.encode("utf-8"), suffix)


@settings(FUZZ, max_examples=300)
@example(document={"turns": [{"speaker": "A\ud800", "text": "hi"}]})  # lone surrogate
@example(document={"turns": [{"text": "hi"}], "title": "\udfff", "date": "２０２４-01-01"})
@given(document=json_transcripts())
def test_json_transcripts(document: object) -> None:
    load_fuzzed(dump_json(document), ".json")


@settings(FUZZ, max_examples=200)
@given(document=qmsum_files())
def test_qmsum_files(document: object) -> None:
    load_fuzzed(dump_json(document), ".json")


@settings(FUZZ, max_examples=150)
@given(document=JSON_VALUES)
def test_any_json_document(document: object) -> None:
    load_fuzzed(dump_json(document), ".json")


@settings(FUZZ, max_examples=100)
@given(
    depth=st.integers(1, 200_000),
    opener=st.sampled_from(["[", '{"a":', '{"turns":[', '{"meeting_transcripts":[', "[{}, "]),
    closed=st.booleans(),
)
def test_deeply_nested_json(depth: int, opener: str, closed: bool) -> None:
    closer = {"[": "]", '{"a":': "}", '{"turns":[': "]}", '{"meeting_transcripts":[': "]}",
              "[{}, ": "]"}[opener]
    text = opener * depth + "1" + (closer * depth if closed else "")
    load_fuzzed(text.encode("utf-8"), ".json")


@settings(FUZZ, max_examples=150)
@given(
    sidecar=st.one_of(yaml_documents().map(lambda doc: doc.encode("utf-8")),
                      st.binary(max_size=300)),
    suffix=st.sampled_from(EXTENSIONS),
)
def test_sidecar_metadata(sidecar: bytes, suffix: str) -> None:
    valid = {
        ".vtt": "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Ann>Hello.\n",
        ".srt": "1\n00:00:00,000 --> 00:00:01,000\nAnn: Hello.\n",
        ".txt": "[00:00:01] Ann: Hello.\n",
        ".md": "# Notes\n\nHello.\n",
        ".markdown": "Hello.\n",
        ".json": '{"turns": [{"speaker": "Ann", "text": "Hello."}]}',
    }[suffix]
    load_fuzzed(valid.encode("utf-8"), suffix, sidecar=sidecar)


@settings(FUZZ, max_examples=120)
@given(
    fragment=REPEATED,
    length=st.one_of(
        st.integers(1, MAX_LINE_CHARS + 10), st.sampled_from([MAX_LINE_CHARS, MAX_LINE_CHARS + 1])
    ),
    suffix=st.sampled_from(EXTENSIONS),
    lines=st.integers(1, 5),
)
def test_huge_lines(fragment: str, length: int, suffix: str, lines: int) -> None:
    line = (fragment * (length // len(fragment) + 1))[:length]
    prefix = {
        ".vtt": "WEBVTT\n\n00:00.000 --> 00:01.000\n<v A>",
        ".srt": "1\n00:00:00,000 --> 00:00:01,000\n",
        ".txt": "Alice: ",
        ".json": '{"turns": [{"text": "',
    }.get(suffix, "")
    suffix_text = '"}]}' if suffix == ".json" else ""
    body = "\n".join([line] * lines) if suffix != ".json" else line.replace("\\", "/")
    load_fuzzed((prefix + body + suffix_text).encode("utf-8"), suffix)


@settings(FUZZ, max_examples=40)
@given(
    names=st.lists(
        st.tuples(
            st.text(alphabet=st.characters(exclude_characters="/\x00", exclude_categories=["Cs"]),
                    min_size=1, max_size=20),
            st.sampled_from([*EXTENSIONS, ".yaml", ".VTT", ".pdf", ""]),
        ),
        max_size=6,
    )
)
def test_discover_any_folder(names: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for stem, suffix in names:
            try:
                Path(folder, stem + suffix).write_bytes(b"x")
            except OSError:  # a name the file system refuses ("..", too long)
                continue
        found, errors = discover([folder, Path(folder, "missing.vtt")])
    assert all(path.suffix.lower() in SUPPORTED_EXTENSIONS for path in found)
    assert all(isinstance(error, TranscriptParseError) for error in errors)
    assert any(error.reason == "no such file or folder" for error in errors)


@settings(FUZZ, max_examples=60)
@given(
    separators=st.lists(st.sampled_from(["\u2028", "\x85", "\u2029", " ", "\t"]), max_size=6),
    suffix=st.sampled_from([".md", ".yaml"]),
)
def test_yaml_errors_name_the_file_line(separators: list[str], suffix: str) -> None:
    # PyYAML counts \x85, \u2028 and \u2029 as line breaks; editors and the error must not.
    lines = [f"k{i}: 'a{sep}b'" for i, sep in enumerate(separators)]
    metadata = "\n".join([*lines, "title: [not, text]"]).encode("utf-8")
    if suffix == ".md":
        outcome = load_fuzzed(b"---\n" + metadata + b"\n---\nHello.\n", ".md")
        expected = len(lines) + 2
    else:
        outcome = load_fuzzed(b"Ann: Hello.\n", ".txt", sidecar=metadata)
        expected = len(lines) + 1
    assert outcome.error is not None and outcome.error.reason.startswith("title:")
    assert outcome.error.line == expected


def test_empty_and_blank_files_are_clear_errors() -> None:
    for suffix in EXTENSIONS:
        for data in (b"", b"\n\n", b" \t\r\n", b"\xef\xbb\xbf", b"\xff\xfe", "\ufeff".encode()):
            outcome = load_fuzzed(data, suffix, record=False)
            assert outcome.error is not None

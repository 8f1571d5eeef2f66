"""Hypothesis strategies for transcripts and notes that are mostly valid, with faults mixed in.

Mostly-valid files get past the header and first line, so the fuzz reaches timing, speaker,
merging, front-matter and JSON-path code; the faults (overflowing or backwards times, odd
speakers, tags, control characters, YAML tricks, wrong JSON types) are drawn at a low rate so
that a file usually holds one or two of them.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

# Characters that matter to some parser, plus awkward ones: controls, BOMs, separators, RTL
# marks, combining marks, surrogate-pair emoji and characters outside the BMP.
AWKWARD = st.sampled_from(
    list("\t\x0b\x0c\x1b\x1c\x7f\x85\xa0\u2028\u2029\ufeff\u200b\u202e\u0301é中😀")
    + list(":<>[](){}#*-_=`~|!&;.,?\"'\\/0123456789 ")
)
ANY_CHAR = st.one_of(st.characters(exclude_categories=["Cs"]), AWKWARD)
TEXT = st.text(alphabet=ANY_CHAR, max_size=40)
"""Any text, line breaks included."""
LINE_TEXT = st.text(alphabet=ANY_CHAR.filter(lambda char: char not in "\r\n"), max_size=40)
"""Text on one line (the parsers split on \\n and \\r only, so \\x85 and \\u2028 stay in)."""
WORDS = st.text(alphabet=st.sampled_from("abcdefg xyz.?!',"), min_size=1, max_size=30)
NAMES = st.one_of(
    st.sampled_from(["Alice", "Bob Smith", "SPEAKER_01", "Dr. O'Neil", "Speaker 2", "Zoë", "李"]),
    st.sampled_from(["Alice", "Bob Smith"]),
    st.text(alphabet=ANY_CHAR.filter(lambda char: char not in "\r\n"), min_size=1, max_size=70),
)
NEWLINES = st.sampled_from(["\n", "\n", "\r\n", "\r"])
BLANK_LINES = st.sampled_from(["\n\n", "\n\n", "\n\n\n", "\n \t\n", "\r\n\r\n", "\r\r"])
ENCODINGS = st.sampled_from(
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"]
)
BOMS = st.sampled_from([b"", b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb"])


def _chance(draw: st.DrawFn, percent: int) -> bool:
    return draw(st.integers(0, 99)) < percent


def _format_clock(millis: int, separator: str, short: bool) -> str:
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    if short and hours == 0:
        return f"{minutes:02d}:{seconds:02d}{separator}{millis:03d}"
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


BAD_CLOCKS = st.sampled_from([
    "99:99:99.999", "-00:00:01.000", "1e20", "", "00:00:00", "00:00:60.000", "00:60:00.000",
    "1000:00:00.000", "٠١:٠٠:٠٠.٠٠٠", "00:00:00.0000", "00:00.5", "00:00:00.000.000",
    "100000000000000000000:00:00.000", "nan", "00:00:00,000\x0b",
])


@st.composite
def timing_lines(draw: st.DrawFn, start_ms: int, end_ms: int, separator: str) -> str:
    """`start --> end [settings]`, now and then with a malformed or overflowing part."""
    short = _chance(draw, 30)
    start = _format_clock(start_ms, separator, short)
    end = _format_clock(end_ms, separator, short)
    if _chance(draw, 4):
        start = draw(BAD_CLOCKS)
    if _chance(draw, 4):
        end = draw(BAD_CLOCKS)
    arrow = " --> "
    if _chance(draw, 4):
        arrow = draw(st.sampled_from(["->", "-- >", "-->-->", "-->", "\x0b-->\x0b"]))
    cue_settings = draw(st.sampled_from(["", "", " align:start position:10%", " line:0", "   "]))
    return f"{start}{arrow}{end}{cue_settings}"


@st.composite
def cue_times(draw: st.DrawFn, count: int) -> list[tuple[int, int]]:
    """Start and end milliseconds of `count` cues: ordered, now and then backwards or huge."""
    starts = sorted(draw(st.lists(st.integers(0, 3_600_000 * 999), min_size=count,
                                  max_size=count)))
    if count and _chance(draw, 8):
        starts.reverse()  # out of order
    times = []
    for start in starts:
        length = draw(st.integers(0, 10_000))
        if _chance(draw, 4):
            length = -draw(st.integers(1, 10_000))  # ends before it starts
        times.append((start, max(0, start + length)))
    return times


@st.composite
def cue_lines(draw: st.DrawFn, vtt: bool) -> list[str]:
    """A cue's text lines: usually a named speaker, sometimes tags, entities or nothing."""
    lines = []
    for number in range(draw(st.integers(0, 3) if _chance(draw, 15) else st.just(1))):
        words = draw(WORDS) if _chance(draw, 70) else draw(LINE_TEXT)
        style = draw(st.sampled_from(["voice", "voice", "prefix", "bracket", "none"] if vtt
                                     else ["prefix", "bracket", "none", "none"]))
        if number > 0 or style == "none":
            line = words
        elif style == "voice":
            classes = draw(st.sampled_from(["", "", ".loud", ".a.b", "."]))
            close = draw(st.sampled_from(["", "</v>"]))
            line = f"<v{classes} {draw(NAMES)}>{words}{close}"
        elif style == "prefix":
            line = f"{draw(NAMES)}: {words}"
        else:
            line = f"[{draw(NAMES)}] {words}"
        if _chance(draw, 15):
            tag = draw(st.sampled_from(["<i>", "<b>", "{\\an8}", "&amp;", "&lt;", "<c.red>",
                                        "<00:00:01.000>", "<", "&#0;", "&#x110000;", "&#xD800;",
                                        "</v>", "<v>", "<v\x0bA>"]))
            line = tag + line if _chance(draw, 50) else line + tag
        lines.append(line)
    return lines


@st.composite
def vtt_files(draw: st.DrawFn) -> str:
    """WebVTT: a header, cues with identifiers, timings and voice tags, NOTE/STYLE blocks."""
    header = "WEBVTT"
    if _chance(draw, 15):
        header = draw(st.sampled_from(["WEBVTT - Title", "WEBVTT\tx", "WEBVTTX", "webvtt",
                                       "\ufeffWEBVTT", "NOTE hi", "", "WEBVTT\nKind: captions"]))
    count = draw(st.integers(0, 6))
    blocks = [header]
    for start, end in draw(cue_times(count)):
        if _chance(draw, 8):
            blocks.append(draw(st.sampled_from(["NOTE", "NOTE a --> b", "STYLE\n::cue {}",
                                                "REGION\nid:x", "NOTE\x0b"])))
        cue = []
        if _chance(draw, 30):
            cue.append(draw(st.sampled_from(["1", "intro", "a-->b", "\x0b", "NOTE"])))
        cue.append(draw(timing_lines(start, end, ".")))
        cue.extend(draw(cue_lines(vtt=True)))
        blocks.append("\n".join(cue))
    glue = draw(BLANK_LINES) if not _chance(draw, 5) else "\n"
    text = glue.join(blocks)
    return text.replace("\n", draw(NEWLINES)) if _chance(draw, 10) else text


@st.composite
def srt_files(draw: st.DrawFn) -> str:
    """SubRip: numbered blocks with timings and `Name:` / `[Name]` speakers."""
    blocks = []
    separator = "," if not _chance(draw, 10) else "."
    for number, (start, end) in enumerate(draw(cue_times(draw(st.integers(0, 6)))), start=1):
        cue = []
        index = str(number)
        if _chance(draw, 10):
            index = draw(st.sampled_from(["", "x", "０", "²", "-1", "1 2"]))
        if index:
            cue.append(index)
        cue.append(draw(timing_lines(start, end, separator)))
        cue.extend(draw(cue_lines(vtt=False)))
        blocks.append("\n".join(cue))
    glue = draw(BLANK_LINES) if not _chance(draw, 5) else "\n"
    return glue.join(blocks)


ODD_STAMPS = st.sampled_from([
    "[99:99:99] ", "[1:2] ", "[12:7x] ", "[] ", "[", "(2) ", "[00:00:00.1234] ", "[-1:00] ",
    "[10**20:00:00] ", "[inaudible] ", "[٠١:٠٠] ", "[1:00:00:00] ", "[00:00:00 ", "(1:00]",
    "[" + "9" * 30 + ":00] ",
])


@st.composite
def plaintext_files(draw: st.DrawFn) -> str:
    """`[HH:MM:SS] Name: text` lines, continuations, and odd or backwards stamps."""
    lines = []
    count = draw(st.integers(0, 8))
    stamped = _chance(draw, 60)
    for start, _ in draw(cue_times(count)):
        seconds = start // 1000
        prefix = ""
        if stamped and not _chance(draw, 10):
            hours, rest = divmod(seconds, 3600)
            minutes, secs = divmod(rest, 60)
            fraction = draw(st.sampled_from(["", "", ".5", ",25", ".999"]))
            if hours:
                prefix = f"[{hours:02d}:{minutes:02d}:{secs:02d}{fraction}] "
            else:
                prefix = draw(st.sampled_from([f"[{minutes:02d}:{secs:02d}{fraction}] ",
                                               f"({minutes}:{secs:02d}) "]))
        if _chance(draw, 5):
            prefix = draw(ODD_STAMPS)
        words = draw(WORDS) if _chance(draw, 70) else draw(LINE_TEXT)
        shape = draw(st.integers(0, 9))
        if shape < 7:
            lines.append(f"{prefix}{draw(NAMES)}: {words}")
        elif shape < 9:
            lines.append(prefix + words)
        else:
            lines.append(f"{prefix}{draw(NAMES)}:")
    return draw(NEWLINES).join(lines)


YAML_VALUES = st.sampled_from([
    "Weekly sync", "2024-03-01", "2024-13-45", "2024-02-30", "'2024-03-01'", "２０２４-01-01",
    "true", "no", "null", "~", "12", "1e400", ".inf", ".nan", "-0", "0x1F", "[a, b]", "{a: 1}",
    "!!binary aGVsbG8=", "!!timestamp 2001-12-14t21:59:43.10-05:00", "!!python/object:os.system",
    "&a x", "*a", "*undefined", "'unterminated", '"\\ud800"', '"\\x1b[2J"', '"a\\nb"', "|\n  x",
    ">\n  folded", "- item", "\x1b", "\t", "\u2028", "\x85", "&a [*a]", "!!set {a, b}",
    "!!omap [a: 1]", "? [a]\n: b", "<<: {title: x}", "9" * 5000, "[" * 60 + "]" * 60,
    "!" + "x" * 500 + " y", '"' + "\\q" * 3, "a\u2028b: c\nd: '", "2024-03-01 10:00:00",
    "!!int 1" + "0" * 4400, "{" * 49 + "}" * 49, "[" * 300,
])
YAML_KEYS = st.sampled_from(
    ["id", "title", "date", "kind", "facilitator", "series", "consent", "author", "title",
     "date", "other", "?", "- ", "<<", "\ufeff", "title:"]
)


@st.composite
def yaml_documents(draw: st.DrawFn) -> str:
    """Metadata YAML: known keys with tricky values (tags, anchors, bad dates, controls)."""
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        value = draw(st.sampled_from([draw(YAML_VALUES), draw(LINE_TEXT), draw(WORDS)]))
        indent = "" if not _chance(draw, 10) else draw(st.sampled_from(["  ", "\t", " "]))
        lines.append(f"{indent}{draw(YAML_KEYS)}: {value}")
    if _chance(draw, 10):
        lines.append(draw(TEXT))
    return "\n".join(lines)


MARKDOWN_MARKERS = st.sampled_from([
    "", "", "", "# ", "## ", "####### ", "#", "- ", "* ", "1. ", "1234567890. ", "> ", ">>> ",
    "    ", "- [ ] ", "```", "~~~", "===", "---", "***", "| a | b |", "|---|:-:|", "+ ", "2) ",
])
MARKDOWN_INLINE = st.sampled_from(
    ["[a](b)", "![alt](x.png)", "**b**", "`code`", "[a]((b)", "![[](", "", "~~x~~", "__u__"]
)


@st.composite
def markdown_files(draw: st.DrawFn) -> str:
    """Notes: optional front matter, headings, lists, quotes, fences, tables and inline marks."""
    parts = []
    if _chance(draw, 50):
        close = "---" if not _chance(draw, 15) else draw(st.sampled_from(["...", "--- ", ""]))
        parts.append(f"---\n{draw(yaml_documents())}\n{close}")
    for _ in range(draw(st.integers(0, 8))):
        text = draw(st.one_of(WORDS, LINE_TEXT, MARKDOWN_INLINE))
        parts.append(draw(MARKDOWN_MARKERS) + text)
    return draw(st.sampled_from(["\n", "\n\n", "\r\n"])).join(parts)


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.sampled_from([10**20, -1, -0.0, 1e308, 2**64, "\ud800", "\udfff a", "\x1b[2J", "12"]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
BAD_TIMES = st.one_of(
    st.floats(), st.integers(-10**30, 10**30),
    st.sampled_from([10**20, -0.0, -1, 1e-320, "12", True, 99 * 3600 + 99 * 60 + 99.999, [],
                     float("nan"), float("inf"), 10**400]),
)
STRING_FAULTS = st.sampled_from(["\ud800", "a\udfffb", "\x1b[2J", "", "\x00", "\u2028", "  "])


@st.composite
def json_transcripts(draw: st.DrawFn) -> object:
    """`{"turns": [...], ...metadata}` with ordered times and now and then a wrong value."""
    turns: list[object] = []
    for start, end in draw(cue_times(draw(st.integers(0, 5)))):
        entry: dict[str, object] = {}
        if _chance(draw, 80):
            entry["speaker"] = draw(NAMES) if _chance(draw, 90) else draw(JSON_SCALARS)
        if _chance(draw, 95):
            entry["text"] = draw(WORDS) if _chance(draw, 60) else draw(TEXT)
            if _chance(draw, 5):
                entry["text"] = draw(st.one_of(JSON_SCALARS, STRING_FAULTS))
        if _chance(draw, 70):
            entry["start"] = start / 1000 if _chance(draw, 95) else draw(BAD_TIMES)
        if _chance(draw, 60):
            entry["end"] = end / 1000 if _chance(draw, 95) else draw(BAD_TIMES)
        turns.append(entry if _chance(draw, 97) else draw(JSON_VALUES))
    document: dict[str, object] = {"turns": turns if _chance(draw, 95) else draw(JSON_VALUES)}
    for key in draw(st.lists(YAML_KEYS, max_size=3)):
        document[key] = draw(st.one_of(WORDS, STRING_FAULTS, JSON_SCALARS, YAML_VALUES))
    return document


@st.composite
def qmsum_files(draw: st.DrawFn) -> object:
    """QMSum `meeting_transcripts` with speakers, markup and now and then a wrong value."""
    entries: list[object] = []
    for _ in range(draw(st.integers(0, 5))):
        entry: dict[str, object] = {}
        if _chance(draw, 90):
            entry["speaker"] = draw(NAMES) if _chance(draw, 90) else draw(JSON_SCALARS)
        if _chance(draw, 90):
            content = draw(st.one_of(WORDS, TEXT, st.just("{vocalsound} ok {disfmarker}")))
            entry["content"] = content if _chance(draw, 90) else draw(
                st.one_of(JSON_SCALARS, STRING_FAULTS))
        entries.append(entry if _chance(draw, 97) else draw(JSON_VALUES))
    return {"meeting_transcripts": entries if _chance(draw, 95) else draw(JSON_VALUES),
            "topic_list": draw(JSON_VALUES)}


def dump_json(document: object) -> bytes:
    """JSON as a user's tool might write it, NaN and Infinity included (Python reads them)."""
    return json.dumps(document, ensure_ascii=True).encode("utf-8")


# Fragments whose repetition on one line could make a regex backtrack or a loop go quadratic.
REPEATED = st.sampled_from([
    "<v", "<v ", "<", "<v.", "&amp;", "-->", "- ", ">", "> ", "[", "[](", "![", "[a](", "{\\",
    "**", "`", "#", ":", "a: ", "0:", "00:00:00.000 ", "\t", " ", "|-", "1.", "&#", "é",
    "😀", "\x0b", "[[", "]]", "((", "))", "![](", "Alice: ", "\u2028", "{a:", "- [", "&a ",
])

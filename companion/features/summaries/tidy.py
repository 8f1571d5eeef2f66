"""Spoken sentences tidied for reading: hesitations, stutters and false starts taken out.

"Um so this is the the plan for uh today's meeting ." reads "So this is the plan for today's
meeting." in a summary. Only words are removed (never added or changed), so every content term of
the tidied text is in the verbatim quote it cites and the `GroundingVerifier` still finds the
quote supports it; the citation keeps the words exactly as said.
"""

from __future__ import annotations

import re

_FILLERS = frozenset("um umm uh uhh er erm ah mm mmm hmm mm-hmm uh-huh huh".split())
# Short tokens that are English words; any other one- or two-letter lowercase token in speech
# is a cut-off word ("th", "w", "sh").
_SHORT_WORDS = frozenset(
    """a i an as at be by do go he if in is it me my no of on or so to up us we am ok oh hi ha
    tv pc uk us eu id vs""".split()
)
_TOKEN = re.compile(r"\S+")
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?%)])")
_DOUBLE_PUNCT = re.compile(r"([,;:])(?:\s*[,;:])+")
_LEADING_PUNCT = re.compile(r"^[\s,.;:!?-]+")


def _bare(token: str) -> str:
    return token.strip(",.;:!?\"'()").lower()


def tidy(text: str) -> str:
    """The sentence without fillers, immediate repeats and cut-off words, punctuation joined."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        bare = _bare(token)
        if bare in _FILLERS:
            tail = token[len(token.rstrip(",.;:!?")):]
            if tail and out and tail in ".!?":  # a filler ending the sentence keeps its stop
                out[-1] = out[-1].rstrip(",;:") + tail
            elif tail == "," and out and out[-1].endswith(","):
                out[-1] = out[-1][:-1]  # "read, um, more" -> "read more"
            continue
        if bare and len(bare) <= 2 and bare.isalpha() and bare.islower() \
                and bare not in _SHORT_WORDS and token == bare:
            continue  # a cut-off word
        if out and bare and _bare(out[-1]) == bare:
            out[-1] = token  # "the the" -> "the" (keep the later one's punctuation)
            continue
        # "it's it's" / "we we'll": a repeated pair of words
        if len(out) >= 3 and bare and _bare(out[-2]) == bare and _bare(out[-1]) == _bare(out[-3]):
            out.pop()
            continue
        out.append(token)
    joined = " ".join(out)
    joined = _SPACE_BEFORE.sub(r"\1", joined)
    joined = _DOUBLE_PUNCT.sub(r"\1", joined)
    joined = _LEADING_PUNCT.sub("", joined).strip()
    if not joined:
        return text.strip()
    return joined[:1].upper() + joined[1:]

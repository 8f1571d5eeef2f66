"""Lexical checks that keep opposite advice apart: negation polarity and "X first" ordering.

Embeddings put "always brief in writing" and "never brief in writing" close together, so
similarity alone would merge them. Two quotes on the same subject whose main clauses differ in
negation, or that put different things first ("writing first" / "talk first"), advise
opposite things: they become two tips linked as a contradiction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from companion.core.terms import content_terms, stem
from companion.features.tips.extraction import strip_lead_in

_NEGATION = re.compile(
    r"\b(?:never|don't|dont|do not|doesn't|does not|avoid|no|not|shouldn't|should not|"
    r"mustn't|must not|stop|resist)\b",
    re.I,
)
_CLAUSE_END = re.compile(r"[,;:.!?]|\s(?:but|because|unless|although|though|otherwise)\s", re.I)
_FIRST = re.compile(
    r"\b([a-z]+)[- ]first\b(?=\s*(?:[,.;:!?)]|$|and\b|then\b|person\b))", re.I
)
_GOES_FIRST = re.compile(r"\b([a-z]+)\s+(?:goes|comes|go|come)\s+first\b", re.I)
# "ring the PS before ...": the act done first. A determiner makes it a thing, not an act
# ("on your phone before you send it").
_BEFORE = re.compile(
    r"\b(the\s+|a\s+|your\s+|my\s+|their\s+|our\s+)?"
    r"(ring|call|phone|talk|speak|write|writing|paper|note)\b[^.;]{0,60}?\bbefore\b",
    re.I,
)
_NEGATION_TERMS = frozenset({"never", "don", "dont", "avoid", "stop", "resist"})
_PHONE_FIRST = re.compile(r"\bpick(?:s|ed|ing)? up the phone\b[^.;]{0,60}?\bbefore\b", re.I)
# Words before "first" that do not name what to do first ("the first", "it first").
_NOT_ACTS = frozenset(
    "the a an this that it them him her me us you one ones thing things very at in on".split()
)
# Words that name the same act, so "ring first" and "phone first" agree.
_SAME_ACT = {
    "talk": "talk", "speak": "talk", "conversation": "talk", "call": "talk", "ring": "talk",
    "phone": "talk", "meet": "talk", "meeting": "talk",
    "write": "write", "writing": "write", "written": "write", "paper": "write", "note": "write",
    "email": "write",
}


def main_clause(quote: str) -> str:
    """The quote's first sentence up to its first clause break, without lead-in words."""
    core = strip_lead_in(quote.replace("’", "'"))
    match = _CLAUSE_END.search(core)
    return core[: match.start()] if match else core


def polarity(quote: str) -> int:
    """-1 when the advice is a prohibition ("Don't ...", "Never ..."), else +1."""
    return -1 if _NEGATION.search(main_clause(quote)) else 1


def first_acts(quote: str) -> set[str]:
    """What the quote says to do first: {"write"} for "put it in writing first"."""
    text = quote.replace("’", "'")
    acts = {m.group(1).lower() for m in _FIRST.finditer(text)}
    acts |= {m.group(1).lower() for m in _GOES_FIRST.finditer(text)}
    acts |= {m.group(2).lower() for m in _BEFORE.finditer(text) if not m.group(1)}
    if _PHONE_FIRST.search(text):
        acts.add("talk")
    return {_SAME_ACT.get(a, stem(a)) for a in acts if a not in _NOT_ACTS}


def orders_conflict(a: Iterable[str], b: Iterable[str]) -> bool:
    """True when both say what comes first and they name different things."""
    left, right = set(a), set(b)
    return bool(left) and bool(right) and not (left & right)


def shared_terms(quote_a: str, quote_b: str) -> float:
    """Share of the shorter quote's content terms (negations aside) that the other one has."""
    a = {t for t in content_terms(main_clause(quote_a)) if t not in _NEGATION_TERMS}
    b = {t for t in content_terms(main_clause(quote_b)) if t not in _NEGATION_TERMS}
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def opposed(quote_a: str, quote_b: str, min_shared: float = 0.5) -> bool:
    """True when two quotes (already known to be on the same subject) advise opposite things.

    A difference in negation only counts when the main clauses are about the same things
    (most content terms shared): "Never present a number cold" and "Send the numbers first"
    agree, while "Copy the private office" and "Don't copy private office" do not.
    """
    if polarity(quote_a) != polarity(quote_b) and shared_terms(quote_a, quote_b) >= min_shared:
        return True
    return orders_conflict(first_acts(quote_a), first_acts(quote_b))

"""Sentences about the session itself rather than its substance (meta-discourse).

A facilitator's key points say what was said, not how the session was run: "this is the
<kind of session> for ...", what the notes are, what the format is, what the session is not,
how the series came about, or the speaker's plan for the talk ("they asked me to speak on ...",
"I'll keep it short") and announcements of a point that is not yet made ("a couple of
thoughts", "one more from me"). Generic English about any meeting; no session's own wording.

Three tiers:

- *Framing* (`_FRAMING`): the session, its notes, scope, series or attendance is what the
  sentence is about, or the speaker states their brief. Such a sentence is framing unless it
  goes on to give a reason ("..., because it's where most mistakes start"), which is substance.
- *Plan*: "I'm going to talk about X", framing when at most `MAX_PLAN_TERMS` content words
  follow the plan (a topic named, not a point made).
- *Announcement*: the speaker announces that points follow ("a few things matter", "one more
  from me"). Only framing when, apart from generic discourse words and names, at most
  `MAX_OTHER_TERMS` content words remain: a real point made in the same breath keeps it.

Only "session" framing (what the session is) may stand in an overview, as it does in summaries
people write; no framing is ever a key point (`selection.select_points`).
"""

from __future__ import annotations

import re

from companion.core.terms import STOPWORDS, content_terms, words

_LEAD = r"^\W*(?:(?:and|so|okay|ok|right|well|um|uh|erm|yeah|now|just|also|alright|anyway),?\s+)*"

# Generic names of a gathering, its parts and its record (any organisation's meetings).
_SESSION = (
    r"(?:session|talk|workshop|meeting|debrief|de-brief|review|retro|retrospective|briefing|"
    r"seminar|webinar|panel|chat|conversation|discussion|catch-?up|"
    r"format|series|presentation|lecture|lunch[- ]and[- ]learn|"
    r"induction|welcome|look back|recap|event|class|course|module|huddle|forum|q ?& ?a|"
    r"one-to-one|1:1|masterclass|clinic|drop-in|walkthrough|walk-through|sprint review|"
    r"stand-?up|away ?day|training|refresher|orientation|onboarding|kick-?off|town ?hall|"
    r"all-hands|off-?site|tutorial|meet-?up|get-together|session series)s?"
)
_RECORD = r"(?:notes|minutes|slides|write-?up|summary|handout|agenda)"
# What may follow the session's name when the session itself is meant ("the debrief for the
# new starters", "a clinic rather than a lecture"), not a relative clause describing some other
# review or conversation ("a review that the board agreed", "a conversation we need to have").
_AFTER = (r"(?!(?<=series)\s+of\b)"  # "a series of remote controls" is no session
          r"(?=\s*(?:$|[,.;:!?\u2014-]|(?:for|on|about|of|with|rather|in|at|where|and|to|so|"
          r"but|instead|today|tonight|this|here|before|after|from|between|since|we've|"
          r"i've)\b))")
_DEICTIC = r"(?:this|today|tonight|today's|tonight's|these|here|this morning's|this afternoon's)"
_PLAN_VERB = (
    r"(?:talk(?! to\b)|speak(?! to\b)|start|begin|kick off|cover|go through|run through|"
    r"walk (?:you|us) through|say (?:up front|a few words|a bit)|say what|tell you what|"
    r"focus|structure|split|divide|keep (?:it|this|things) (?:short|brief|quick)|"
    r"try not to (?:talk|go on|ramble|keep you)|hand over|pass over|move on|wrap up)\b"
)

# Words between a determiner and the session's name: no preposition, so the name is the head
# ("the night shift debrief"), not an aside ("twenty minutes of one meeting").
_MODIFIERS = r"(?:(?!(?:of|at|in|on|for|with|from|to|by|about)\b)[\w'-]+\s+)"

# Each kind of framing, by what the sentence is about.
_FRAMING: list[tuple[str, re.Pattern[str]]] = [
    # What the session is: "This is the <kind of session> for ...", "This meeting will be about
    # ...", "Today's a slightly different format ...".
    ("session", re.compile(
        _LEAD + _DEICTIC + r"\s*(?:'s|'re|is|are|was|will be|isn't|is not|won't be)\s+"
        r"(?:not\s+|really\s+|basically\s+|just\s+|meant to be\s+|going to be\s+|"
        r"supposed to be\s+)?"
        r"(?:(?:a|an|the|our|my|your|another|one of (?:the|our))\s+)?" + _MODIFIERS + r"{0,4}?"
        + _SESSION + _AFTER,
        re.I,
    )),
    ("session", re.compile(
        _LEAD + r"(?:this|today's|tonight's)\s+" + _MODIFIERS + r"{0,2}?" + _SESSION
        + r"\s+(?:is|isn't|is not|was|will|won't|came|grew|started|follows|covers|began|"
        r"has been)\b",
        re.I,
    )),
    # What the notes are: "My notes cover ...", "Here are the minutes of ..."
    ("record", re.compile(
        _LEAD + r"(?:(?:these|my|our)\s+(?:[\w'-]+\s+)?" + _RECORD + r"\s+(?:are|is|were|was|"
        r"cover|come|follow)\b|(?:these|this|here)\s*(?:'s|are|is)\s+(?:the|my|our)\s+"
        r"(?:[\w'-]+\s+)?" + _RECORD + r"\b)",
        re.I,
    )),
    # What the session is not or covers: "... what this session is / isn't / covers"
    ("scope", re.compile(
        r"\bwhat (?:this|today's|these)\s+(?:[\w'-]+\s+)?" + _SESSION
        + r"\s*(?:'s|is|isn't|is not|are|aren't|will|won't|covers?|does|doesn't)\b"
        r"|^\W*(?:please,?\s+)?(?:that's|that is)\s+what\s+(?:the\s+|these\s+|this\s+|our\s+)?"
        + _SESSION + r"\s+(?:is|are|'s)\s+for\b",
        re.I,
    )),
    # How the series came about: "When we planned the series ..."
    ("series", re.compile(
        r"(?:^\W*|\bwhen\s+)(?:we|i|they)\s+(?:first\s+)?(?:(?:put|set|pulled|planned|organised|"
        r"organized|"
        r"started|designed|came up with)\s+(?:together\s+|up\s+)?(?:the|this|these|our)\s+"
        + _MODIFIERS + r"{0,2}?" + _SESSION + r"\b(?:\s+(?:together|up))?)",
        re.I,
    )),
    # The speaker's brief: "I've been asked to speak on ...", "<Name> asked us to have a chat ..."
    ("brief", re.compile(
        r"\b(?:i|we)\s+(?:was|were|'ve been|have been|'d been|had been|got)\s+asked\s+to\s+"
        r"(?:come\s+(?:in\s+|along\s+)?(?:and\s+)?)?(?:talk|speak|say a few words|present|"
        r"give a talk|share|lead (?:this|the|today's))\b"
        r"|\basked\s+(?:me|us)\s+to\s+(?:come\s+(?:in\s+|along\s+)?(?:and\s+)?)?(?:talk|speak|"
        r"say a few words|present|have a|do a|run a|give a)\b"
        r"|\b(?:wants|wanted|asked for)\s+(?:a|an|us to have a|us to do a)\s+(?:[\w'-]+\s+){0,2}?"
        + _SESSION + r"\s+(?:for|about)\b",
        re.I,
    )),
    # Who came: "Six of us were there", "Just me, Sam and Ali today"
    ("attendance", re.compile(
        r"\b\w+ of us (?:were|are) (?:there|here|in the room)\b"
        r"|^\W*(?:it's\s+)?(?:just|only)\s+(?:me|us)(?:,|\s+and)\s+(?:[\w'-]+,?\s+){0,4}?"
        r"(?:today|this (?:time|week|morning|afternoon))\b",
        re.I,
    )),
]

# The speaker's plan for the talk: "I'm going to talk about ...", "I want to start by ...":
# framing when little follows it ("... about handover"), not when a point is made in it.
_PLAN = re.compile(
    _LEAD + r"(?:i|we)\s*(?:'m|am|'re|are|'ll|will|'d like to|would like to|want to|wanted to|"
    r"thought i'd|thought we'd|shall|'m just going to|'re just going to|'m going to|"
    r"'re going to|am going to|are going to|'m gonna|'re gonna|plan to|'d love to)\s+"
    r"(?:just\s+|quickly\s+|briefly\s+|first\s+|now\s+)?" + _PLAN_VERB,
    re.I,
)
MAX_PLAN_TERMS = 4

# The speaker announces points still to come ("a few things matter", "one more from me").
_ANNOUNCEMENT = re.compile(
    r"\b(?:(?:a few|a couple of|a handful of|only a few|two|three|four)\s+(?:more\s+)?"
    r"(?:things|points|thoughts|tips|ideas|reflections|observations)\s+(?:that\s+)?"
    r"(?:really\s+)?(?:matter|i (?:really\s+)?(?:care|want|wanted|'d like)|to (?:say|mention|"
    r"add|cover|share)|from me)"
    r"|(?:a few|a couple of)\s+(?:thoughts|reflections|observations)\W*$"
    r"|(?:one|a couple|a few) more (?:from me|from us|thing from|point from)"
    r"|the other thing (?:i'd|i would|i want to|i wanted to) (?:say|add|mention)"
    r"|(?:can|could|may) i (?:just )?(?:add|come in|jump in)"
    r"|(?:dis)?agree with \w+ on (?:one|a couple of|two) things?"
    r"|(?:keep it|keep this) (?:short|brief)|(?:talk|go on) for too long)",
    re.I,
)
_REASON = re.compile(r"\b(?:because|since|so that|which is why|'cause|cos)\b", re.I)

# Words any announcement or framing uses; they are not substance.
_DISCOURSE = frozenset(content_terms(
    "thing things point points thought thoughts tip tips idea ideas reflection reflections "
    "observation observations comment comments say said add mention talk speak tell told keep "
    "short brief quick quickly long really only just few couple handful more one two three "
    "first second third last other another matter matters care think want wanted like would "
    "could might try start begin end go going get got come came today session sessions talk "
    "lot bit little actually honestly probably maybe okay right well sure sorry please "
    "important thing whatever anything everything something nothing main big biggest key "
    "from me us here now let meeting meetings move moving"
))
MAX_OTHER_TERMS = 2


def _other_terms(text: str) -> list[str]:
    """Content terms that are neither discourse words nor capitalised names."""
    names = {t for w in re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+", text)
             for t in content_terms(w)}
    terms = [w.split("'")[0] for w in words(text)]
    return [t for t in content_terms(" ".join(w for w in terms if w not in STOPWORDS))
            if t not in _DISCOURSE and t not in names]


def framing_kind(text: str) -> str | None:
    """What a sentence about the session itself is about, else None.

    "session" (what the session is), "record" (what the notes are), "scope" (what it covers or
    is not), "series" (how it came about), "brief" (what the speaker was asked to do),
    "attendance", "plan" (the speaker's plan for the talk) or "announcement".
    """
    if _REASON.search(text):
        return None  # a reason given is a point made
    for kind, pattern in _FRAMING:
        if pattern.search(text):
            return kind
    plan = _PLAN.search(text)
    if plan and len(_other_terms(text[plan.end():])) <= MAX_PLAN_TERMS:
        return "plan"
    if _ANNOUNCEMENT.search(text) and len(_other_terms(text)) <= MAX_OTHER_TERMS:
        return "announcement"
    return None


def is_framing(text: str) -> bool:
    """True for a sentence about the session itself rather than what was said in it."""
    return framing_kind(text) is not None


# Right after "what this session isn't", the speaker says it: "It isn't a ...", "What it is ...".
_SCOPE_GOES_ON = re.compile(
    r"^\W*(?:(?:it|this)\s*(?:isn't|is not|'s not|won't be|will not be|wasn't|was not)\b"
    r"|what (?:it|this) (?:is|isn't|will be)\b)",
    re.I,
)


def continues_framing(previous: str, text: str) -> bool:
    """True when `text`, said right after `previous` in the same turn, goes on framing.

    Only after a sentence on what the session is not or covers ("I want to say what this
    session isn't."), and only in the words that say it ("It isn't ...", "What it is ...").
    """
    return framing_kind(previous) == "scope" and bool(_SCOPE_GOES_ON.match(text))


def says_what_session_is(text: str) -> bool:
    """True for framing that says what the session is: an overview may open with it."""
    return framing_kind(text) == "session"

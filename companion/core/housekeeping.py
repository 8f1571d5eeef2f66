"""Sentences that run a session rather than say anything (introductions, greetings, logistics).

Also small talk. Generic English patterns, never a session's own wording.

`housekeeping_kind` names the kind (or None); the learned scorer takes it as a feature and the
summariser keeps such sentences out of the overview and the key points whatever they score.
`opens_mid_thought` spots a sentence that only makes sense after the one before it ("But there
were things ..."), which must not open an overview.
"""

from __future__ import annotations

import re

_LEAD = r"^\W*(?:(?:and|so|okay|ok|right|well|um|uh|hi|hello|yeah|great),?\s+)*"

_NAME = r"(?-i:[A-Z][\w'-]+)(?:\s+(?-i:[A-Z][\w'-]+))?"
# Searched in a sentence's first clauses only ("Hi all, I'm Sam Patel and I run ...").
_INTRODUCTION = re.compile(
    r"(?:^|[,.;:!?]\s*|\band\s+|^\W*(?:hi|hello|hiya|hey|so|and|well|um|uh|yeah|okay|ok)\s+)"
    r"(?:(?:my name is|my name's|i am|i'm|this is)\s+" + _NAME + r"(?=\s*(?:,|\.|$|and\b|from\b|"
    r"here\b|i\b|i'm\b|who\b))"
    r"|my name is\b|my name's\b"
    r"|i\s+(?:look after|head up|lead(?: on)?|run|manage|work on)\s+(?:[\w&,-]+\s+){0,8}?"
    r"(?:the|a|our)\s+(?:[\w&-]+\s+){0,4}"
    r"(?:teams?|units?|directorates?|departments?|divisions?|groups?|office|network|programme|"
    r"program|service|function|section)\b"
    r"|i\s+(?:work (?:in|for|at)|am based|'m based|joined)\b"
    r"|i(?:'m| am) (?:the|a|an|our|your)\s+(?:\w+\s+){0,4}(?:manager|director|lead|head|"
    r"officer|adviser|advisor|designer|expert|partner|secretary|analyst|owner|chair|researcher)"
    r"|let me introduce|(?:let's|shall we) (?:do|go round|start with) (?:a )?(?:quick )?"
    r"(?:round of )?introductions|introduce (?:yourself|yourselves|myself)"
    r")",
    re.I,
)
_ROLE = (r"(?:director|manager|head|lead|secretary|officer|adviser|advisor|analyst|chair|"
         r"partner|researcher|designer|engineer|consultant|professor|coordinator|specialist)")
# Someone introduced by their job: "Dana Lee is Head of Data now, ...", "Ravi is our analyst, ...".
_THIRD_PERSON_INTRO = re.compile(
    _LEAD + _NAME + r",?\s+(?:is|was|has been)\s+(?:now\s+)?(?:(?:the|our|a|an)\s+)?"
    r"(?:[\w-]+\s+){0,3}?" + _ROLE + r"s?\b(?:\s+(?:of|for|in|at)\s+(?-i:[A-Z])|\s+now\b|,)",
    re.I,
)
_GREETING = re.compile(
    _LEAD + r"(?:hello|hi|hiya|hey|welcome|good (?:morning|afternoon|evening)|thanks|thank you|"
    r"cheers|bye|goodbye|see you|nice to (?:meet|see)|lovely to (?:meet|see)|great to see)\b",
    re.I,
)
_LOGISTICS = re.compile(
    r"\b(?:can (?:you|everyone) (?:hear|see) (?:me|us|my screen)|you(?:'re| are) on mute|"
    r"(?:on|off) mute|unmute|share my screen|sharing my screen|screen ?share|next slide|"
    r"(?:the )?slides? (?:up|again)|(?:is|are) (?:we|you) recording|being recorded|"
    r"start(?:ed)? (?:the )?recording|(?:grab|get) (?:a|some|your) (?:coffee|tea|sandwich|lunch|"
    r"drink|seat)|find a seat|toilets?|fire (?:alarm|exit)|wi-?fi|(?:the )?link in (?:the )?chat|"
    r"put (?:it|that|a link) in the chat|in the chat|(?:we've|we have) got (?:about )?\w+ minutes|"
    r"(?:\w+ )?minutes? left|running (?:late|over|out of time)|(?:a|the) (?:short |quick )?break|"
    r"(?:let's|shall we) (?:get started|make a start|begin|kick off|wrap up|finish there|"
    r"stop there)|"
    r"wait(?:ing)? (?:a (?:minute|moment|few minutes) )?for (?:people|others|everyone)|"
    r"(?:still )?drifting in|is everyone here|who(?:'s| is) (?:here|missing)|(?:battery|batteries)|"
    r"microphone|mic\b|headset|(?:the )?camera|(?:can|could) you see (?:it|that|this)|"
    r"the agenda|any other business|next (?:meeting|session) (?:is|will be)|over to you|"
    r"(?:talk|speak|present) for (?:about |around )?\w+ minutes|(?:take|any) questions at the end|"
    # running the session itself: its recording, the notes about it, who came, ground rules
    r"(?:is|was|being|it's|gets?|get) recorded|the recording|(?:we are|we're|i am|i'm) recording|"
    r"(?:these|this|here) (?:are|is) (?:my|our|the) (?:\w+ )?(?:notes|write-?up)\b|"
    r"\w+ (?:people|colleagues|of us) (?:came|attended|turned up|joined)\b|"
    r"before we (?:start|begin|get going|kick off)|"
    r"apolog\w* for (?:the |this )?(?:room|delay|wait|noise|heat|sound|late start)|air ?con\w*|"
    # the building and its admin: an aside, a room booked, the next date, a sheet going round
    r"^\W*(?:oh,?\s+)?before i forget\b|recording(?:'s| is) on\b|"
    r"(?:(?:we've|we have|i've|i have)\s+(?:only\s+)?got|(?:i've|we've|i have|we have)\s+"
    r"booked|we're in|we are in)\s+the\s+(?:[\w-]+\s+){0,2}?room\b|"
    r"\bnext (?:meeting|session|retro|retrospective|sim|simulation|slot|workshop|catch-?up|"
    r"huddle|briefing|training|lab meeting|team meeting|department meeting|one)\s+(?:is|will be|"
    r"'s)\s+(?:on|in|at|the|next|this)\b|"
    r"(?:is|are|being)\s+(?:going|handed|passed)\s+round|handing (?:it |them |these )?round|"
    r"\blockers?\b|car park|parking (?:permits?|spaces?|passes?)|key ?codes?|photocopier|"
    r"sign-?(?:in|up) sheet|stock cupboard|(?:department|team|office) social\b)",
    re.I,
)
_SMALL_TALK = re.compile(
    r"\b(?:the weather|(?:your|the|my) weekend|holiday|how are you|how's (?:it going|everyone)|"
    r"how was your|cake|biscuits?|sandwich(?:es)?|lunch(?:time)?|coffee|traffic|commute|"
    # food laid on or running out (where it is, who pays), not food as a subject of the work
    r"(?:snacks|pizza|food|drinks|cake|biscuits|sandwiches|fruit)\s+(?:is|are|'s)\s+(?:on|in)\s+"
    r"(?:the\s+)?(?:[\w-]+\s+)?(?:table|kitchen|side|room|office|back|way|budget|department|"
    r"house)\b|(?:there's|there is)\s+(?:some\s+)?(?:pizza|food|cake|snacks|biscuits)\s+in\b|"
    r"refill (?:the )?(?:milk|kettle|fridge|coffee)|if anyone wants (?:one|some|it|them)\b|"
    r"(?:the )?lifts?\b|not say anything rude|(?:just )?kidding|joking|(?:laughs?|laughter)\b)",
    re.I,
)
_MID_THOUGHT = re.compile(
    r"^\W*(?:but|and|so|or|because|though|although|also|then|which|whereas|plus|anyway|"
    r"however|still|yet|instead|otherwise|that|it|these|those|they|he|she)\b",
    re.I,
)


def housekeeping_kind(text: str) -> str | None:
    """"introduction", "greeting", "logistics", "small talk" or None for a sentence."""
    if _INTRODUCTION.search(text[:120]) or _THIRD_PERSON_INTRO.match(text):
        return "introduction"
    if _GREETING.match(text):
        return "greeting"
    if _LOGISTICS.search(text):
        return "logistics"
    if _SMALL_TALK.search(text):
        return "small talk"
    return None


def is_housekeeping(text: str) -> bool:
    """True for an introduction, greeting, logistics or small-talk sentence."""
    return housekeeping_kind(text) is not None


def opens_mid_thought(text: str) -> bool:
    """True when the sentence leans on the one before ("But ...", "So ...", "That ...")."""
    return bool(_MID_THOUGHT.match(text))

"""Action items found by generic patterns and speaker structure, each citing its words.

- Commitments: a first-person future ("I'll / I will / I'm going to / we'll / we will") or
  "let me" followed by a verb that does something (not a verb of being, thinking or speaking):
  the owner is the speaker. Two commitments in one sentence are two items.
- Requests: "can you / could you / would you / will you <verb>", "can I ask you to <verb>": the
  owner is the participant named in the request, else whoever replies. The owner's reply, when
  it accepts ("Will do.", "Sure, I'll do that"), is cited too.
- Proposals: "let's <verb>" for planning verbs: the owner is the group (None).
- Notes: every item under an "Actions" heading and every "Action: ..." line; "<Name> to <verb>"
  gives who = that name.
`when` is the deadline as said ("by Friday", "by the end of the month").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from companion.core.schemas import Evidence, Session, Turn
from companion.features.summaries.deadlines import find_deadline
from companion.features.summaries.models import ActionItem
from companion.features.summaries.sentences import (
    Sentence,
    is_actions_section,
    session_sentences,
)
from companion.features.summaries.speakers import AddressBook

# Verbs after "I'll" that state, think, feel or talk rather than commit to doing something.
_NOT_ACTION_VERBS = (
    r"be|being|been|have|had|know|think|believe|guess|suppose|imagine|expect|feel|want|wish|"
    r"like|love|hate|mean|remember|forget|say|said|tell you|talk about|explain|admit|confess|"
    r"argue|agree|disagree|probably|never|always|not|just say|start|begin|stop|finish|leave it|"
    r"see|hear|try|be honest|wait|give you (?:an? )?(?:example|sense|idea)|read|go back|"
    r"move on|turn|come back to (?:that|this|it)|keep (?:it|this) (?:short|brief)|"
    r"hand (?:over|back)|pass (?:over|back)|put it|let you|bore|end|stick|do my best|"
    r"need|miss|lose|win|die|bet|ever|still|also|only|even|really|just|then|definitely|"
    r"certainly|happily|quickly|personally|gladly|absolutely|make sure|try to|try and|"
    r"have to|go (?:round|through|over|on)|show you|give you|quote you|pass|get (?:into|to|on|"
    r"going|started|back to)|look (?:at|like|back)|make (?:a point|sense|it quick|this quick)"
)
_ADVERBS = r"(?:(?:just|also|then|definitely|probably|certainly|happily|quickly|personally|"
_ADVERBS += r"gladly|absolutely|make sure (?:to|I|we)|try to|try and)\s+)*"
_VERB = r"(?!(?:" + _NOT_ACTION_VERBS + r")\b)[a-z][a-z-]+\b"
_SUBJECT = r"(?:I'll|I will|I'm going to|I am going to|we'll|we will|we're going to|let me)"
_COMMIT = re.compile(r"\b" + _SUBJECT + r"\s+" + _ADVERBS + _VERB, re.I)
_REQUEST = re.compile(
    r"\b(?:can|could|would|will) you\s+(?:please\s+)?" + _ADVERBS + _VERB + "|"
    r"\bcan I ask you to\s+" + _ADVERBS + _VERB + "|"
    r"\b(?:can|could) we\s+(?:please\s+)?(?:take|add|put|schedule|book|set up|follow up|"
    r"arrange|send|share|circulate)\b",
    re.I,
)
_LETS = re.compile(
    r"\blet's\s+" + _ADVERBS + r"(?:send|share|circulate|write|add|schedule|book|set up|"
    r"arrange|organise|organize|draft|review|update|invite|plan|follow up|meet|reconvene)\b",
    re.I,
)
# "I'll do X, is what I'd say": the clause is reported or recommended speech, not a promise.
_REPORTED = re.compile(r",\s*(?:is|was|are|were|sounds|works|that's|that is)\b")
# "if it works we'll do it": an offer under a condition, not a commitment.
_CONDITION = re.compile(r"\bif\b", re.I)
_INTERROGATIVE = re.compile(
    r"^\W*(?:\w+,\s*)?(?:can|could|shall|should|would|do|did|may|might|will) (?:i|we)\b", re.I
)
_CLAUSE_END = re.compile(
    r"\s*(?:,\s*(?:and|but|so|which|because|if|for|since|once)\b|;|\s[—–-]\s)", re.I
)
_NEXT_COMMIT = re.compile(r"(?:,\s*|\s)(?:and|then)\s+(?=" + _SUBJECT + r"\b)", re.I)
_ACCEPT = re.compile(r"^\W*(?:yes|yeah|sure|of course|will do|happy to|no problem|definitely|"
                     r"absolutely|ok|okay|fine|done|please do)\b", re.I)
_REFUSE = re.compile(r"^\W*(?:no\b|sorry,? (?:i|we) can't|i can't|not really)", re.I)
_ACTION_LINE = re.compile(r"^\s*(?:action(?: item)?|to ?do|next step)s?\s*[:\-–]\s*", re.I)
_OWNER_TO = re.compile(
    r"^(?P<who>[^,;:]{2,60}?)\s+(?:(?:is|are) (?:happy|keen|willing|going|able) )?to\s+"
    r"(?P<what>[a-z]\S*\b.*)$",
    re.S,
)


@dataclass
class _Found:
    position: int
    item: ActionItem
    turn: int


def _tidy(what: str) -> str:
    what = what.strip().rstrip(".?!,;: ")
    return what[:1].upper() + what[1:] if what else what


def _commit_clauses(sentence: Sentence) -> list[tuple[str, str, str | None]]:
    """(quote, what, when) for each commitment in the sentence; quotes are exact substrings."""
    text = sentence.text
    if _INTERROGATIVE.match(text):
        return []
    matches = list(_COMMIT.finditer(text))
    out: list[tuple[str, str, str | None]] = []
    for i, match in enumerate(matches):
        # Quote from the sentence start ("From me, I'll send ...") unless a clause of its own
        # comes first ("<Name>, can you ..., and I'll ...").
        begin = 0 if i == 0 and len(text[: match.start()].split()) <= 4 else match.start()
        end = len(text)
        if i + 1 < len(matches):
            joiner = _NEXT_COMMIT.search(text, match.end())
            nxt = matches[i + 1].start()
            end = joiner.start() if joiner and joiner.start() < nxt else nxt
        quote = text[begin:end].rstrip(" ,;")
        rest = text[match.start():end]
        if _REPORTED.search(rest) or _CONDITION.search(text[: match.start()]):
            continue
        body = re.sub(r"^" + _SUBJECT + r"\s+", "", rest, flags=re.I)
        cut = _CLAUSE_END.search(body)
        what = _tidy(body[: cut.start()] if cut else body)
        if quote and len(what.split()) >= 2:
            out.append((quote, what, find_deadline(rest) or find_deadline(quote)))
    return out


def _request_owner(
    sentences: list[Sentence], sentence: Sentence, turns: list[Turn], book: AddressBook
) -> str | None:
    """Who a request addresses: a participant named in it or just before it, else who replies."""
    asker = sentence.speaker
    before = [s.text for s in sentences if s.turn.index == sentence.turn.index
              and s.position in (sentence.position - 1, sentence.position)]
    named = book.named_in(" ".join(before), besides=asker)
    if named:
        return named[-1]
    for turn in turns[sentence.turn.index + 1 : sentence.turn.index + 3]:
        if turn.speaker and turn.speaker != asker:
            return turn.speaker
    return None


def _notes_item(session: Session, sentence: Sentence, text: str) -> ActionItem:
    body = _ACTION_LINE.sub("", text)
    owner = _OWNER_TO.match(body)
    who, what = (owner.group("who"), owner.group("what")) if owner else (None, body)
    if who and len(who.split()) > 8:
        who, what = None, body
    return ActionItem(
        who=who.strip() if who else None, what=_tidy(what), when=find_deadline(what),
        citations=[sentence.evidence(session.id, text)],
    )


class ActionFinder:
    """Finds the action items of one session."""

    def find(self, session: Session) -> list[ActionItem]:
        """Action items in session order; a request and its acceptance are one item."""
        sentences = session_sentences(session)
        book = AddressBook(session.speakers)
        found: list[_Found] = []
        consumed: set[tuple[int, str]] = set()
        listed: set[int] = set()
        for sentence in sentences:
            turn = sentence.turn
            if is_actions_section(turn.section) or _ACTION_LINE.match(sentence.text):
                if turn.index in listed:
                    continue
                listed.add(turn.index)
                # A notes item is one action however many sentences it has.
                item = _notes_item(session, sentence, turn.text.strip())
                found.append(_Found(sentence.position, item, turn.index))
                continue
            for quote, what, when in _commit_clauses(sentence):
                if (turn.index, quote) in consumed:
                    continue
                item = ActionItem(who=sentence.speaker, what=what, when=when,
                                  citations=[sentence.evidence(session.id, quote)])
                found.append(_Found(sentence.position, item, turn.index))
            request = _REQUEST.search(sentence.text)
            if request:
                found.append(self._request(session, sentences, sentence, request, book,
                                           consumed, found))
            elif (lets := _LETS.search(sentence.text)) is not None:
                what = re.sub(r"^let's\s+", "", sentence.text[lets.start():], flags=re.I)
                cut = _CLAUSE_END.search(what)
                item = ActionItem(who=None, what=_tidy(what[: cut.start()] if cut else what),
                                  when=find_deadline(sentence.text),
                                  citations=[sentence.evidence(session.id)])
                found.append(_Found(sentence.position, item, turn.index))
        found.sort(key=lambda f: f.position)
        return [f.item for f in found if f.item.citations]

    def _request(
        self,
        session: Session,
        sentences: list[Sentence],
        sentence: Sentence,
        request: re.Match[str],
        book: AddressBook,
        consumed: set[tuple[int, str]],
        found: list[_Found],
    ) -> _Found:
        text = sentence.text
        owner = _request_owner(sentences, sentence, session.turns, book)
        body = text[request.start():]
        body = re.sub(r"^(?:can|could|would|will) you\s+(?:please\s+)?|^can I ask you to\s+|"
                      r"^can we\s+", "", body, flags=re.I)
        cut = _CLAUSE_END.search(body)
        what = body[: cut.start()] if cut else body
        vocative = re.search(r",\s*([^,]{2,30})\W*$", what)
        if vocative and book.named_in(vocative.group(1)):
            what = what[: vocative.start()]  # "send it over, <Name>" -> "send it over"
        what = _tidy(what)
        citations: list[Evidence] = [sentence.evidence(session.id)]
        when = find_deadline(text)
        reply = self._acceptance(session, sentence, owner, sentences)
        if reply is not None:
            reply_sentence, quote = reply
            citations.append(reply_sentence.evidence(session.id, quote))
            when = when or find_deadline(quote)
            consumed.add((reply_sentence.turn.index, quote))
            # A commitment already taken from this reply merges into the request.
            found[:] = [f for f in found if not (
                f.turn == reply_sentence.turn.index and f.item.citations[0].quote == quote)]
        item = ActionItem(who=owner, what=what, when=when, citations=citations)
        return _Found(sentence.position, item, sentence.turn.index)

    @staticmethod
    def _acceptance(
        session: Session, sentence: Sentence, owner: str | None, sentences: list[Sentence]
    ) -> tuple[Sentence, str] | None:
        """The owner's reply accepting the request: its commitment, or a short yes."""
        if owner is None:
            return None
        for turn in session.turns[sentence.turn.index + 1 : sentence.turn.index + 3]:
            if turn.speaker != owner:
                continue
            own = [s for s in sentences if s.turn.index == turn.index]
            for s in own:
                clauses = _commit_clauses(s)
                if clauses:
                    return s, clauses[0][0]
            if own and len(turn.text.split()) <= 20 and not _REFUSE.match(turn.text) and (
                _ACCEPT.match(turn.text) or len(turn.text.split()) <= 6
            ):
                return own[0], turn.text.strip()
            return None
        return None


def find_action_items(session: Session) -> list[ActionItem]:
    """The session's action items (see the module docstring for the patterns)."""
    return ActionFinder().find(session)

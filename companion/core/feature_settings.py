"""Settings of the features: tips, peers, summaries and the learning loop.

Read through `companion.core.settings.Settings`, never on their own.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class TipsSettings(BaseModel):
    """Top tips: advice extraction, clustering and topic filtering.

    The similarity thresholds are centred cosines of the bundled MiniLM (see
    `companion/features/tips/similarity.py` and `actions.py`). Written paraphrase pairs
    (`python -m evals.tips_pairs`) rank the scores and bound the range; the clustering values
    (`same_tip_similarity`, `cohesion`, `link_floor`, `same_session_margin`) were then chosen
    end to end on dev corpora ward, oncall and staffroom (in-sample for them). The fourth pass
    chose `merge_similarity`, `merge_z` and `second_chance_floor` end to end on lab, ward,
    oncall and staffroom (`python -m evals.tips_sweep`), with the samples' figures beside them
    (in-sample too); dev corpus `planning` was never tuned on. Another
    embedding model needs new values.
    """

    min_words: int = Field(default=4, description="shorter advice sentences are fragments")
    max_words: int = Field(default=60, description="longer sentences are monologue, not a tip")
    max_disfluency: float = Field(
        default=0.15, description="share of um/uh/repeated words above which speech is not a tip"
    )
    advice_threshold: float | None = Field(
        default=None, ge=0.0, le=1.0,
        description="advice-detector probability a sentence needs to be a tip candidate "
        "(None: the threshold calibrated on dev and shipped with the weights)",
    )
    same_tip_similarity: float = Field(
        default=0.16,
        description="closeness (centred cosine + lexical bonus) at or above which a quote joins "
        "a tip",
    )
    housekeeping_threshold: float | None = Field(
        default=None,
        description="probability at or above which a quote is housekeeping (lunch, rooms, "
        "recordings) and not a tip; None: the threshold shipped with the filter's weights",
    )
    core_blend: float = Field(
        default=0.5, ge=0.0, le=1.0,
        description="weight of a quote's most advice-like clause in the vector it is clustered "
        "by (0: the whole quote without lead-ins; see `tips/actions.py`)",
    )
    centroid_shrink: float = Field(
        default=10.0,
        description="pseudo-count shrinking the corpus centroid subtracted before comparing "
        "quotes (few quotes: little centring)",
    )
    cohesion: float = Field(
        default=0.20,
        description="average closeness to a tip's quotes needed to join it (average linkage, "
        "so a long chain of near neighbours cannot grow; among tips that would take a quote, "
        "the highest average wins)",
    )
    link_floor: float = Field(
        default=0.10,
        description="closeness a quote needs to every quote of a tip to join it (complete "
        "linkage: a quote unlike one member stays out even when the average is high)",
    )
    same_session_margin: float = Field(
        default=0.1,
        description="extra closeness (best and average) a quote needs to join a tip that "
        "already holds a quote of its own session",
    )
    merge_similarity: float = Field(
        default=0.15,
        description="average closeness of two tips' quotes at or above which, after a session "
        "is placed, they are merged as paraphrases of one piece of advice (see "
        "`tips/merging.py`); 1 or more turns the pass off",
    )
    merge_z: float = Field(
        default=1.0,
        description="standard deviations above each tip's mean closeness to the other tips by "
        "which a pair must stand out to merge (see `tips/merging.py`)",
    )
    second_chance_floor: float = Field(
        default=0.2, ge=0.0, le=1.0,
        description="advice probability from which a sentence the detector leaves out may still "
        "join a tip already given in another session (never start one); 1 turns it off",
    )
    second_chance_margin: float = Field(
        default=0.1,
        description="extra closeness (over same_tip_similarity) such a sentence needs to join",
    )
    weak_strength: float = Field(
        default=0.08,
        description="advice minus housekeeping probability under which a quote is weak; a "
        "tip whose every quote is weak is not listed, and strong advice never joins it",
    )
    lexical_weight: float = Field(
        default=0.3, description="bonus per unit of shared content terms (IDF-weighted overlap)"
    )
    polarity_margin: float = Field(
        default=0.1, description="extra closeness needed to join a prohibition to an instruction"
    )
    contradiction_similarity: float = Field(
        default=0.45,
        description="closeness (raw cosine + lexical bonus) from which two quotes are judged "
        "by the learned opposed-advice score (`tips/opposition.py`, threshold shipped with its "
        "weights). Chosen on the four tuning corpora (lab, ward, oncall, staffroom; in-sample) "
        "as the value with the fewest wrong links at unchanged contradiction recall: links "
        "correct/made 2/9 at 0.30, 2/5 at 0.40, 2/3 at 0.45; 0.50 loses lab's one right link "
        "(`python -m evals.tips_sweep --grid '{\"contradiction_similarity\": [...]}'`)",
    )
    topic_similarity: float = Field(
        default=0.45, description="cosine at or above which a tip matches a --topic query"
    )
    list_headings: list[str] = Field(
        default=["tip", "advice", "lesson", "do's", "dos and", "don'ts", "recommendation"],
        description="notes headings whose list items are all taken as advice",
    )
    llm_wording_on_ingest: bool = Field(
        default=False,
        description="after ingest, have the LLM provider word the tips of each stored session "
        "(as `companion tips reword` does); needs a provider other than extractive",
    )
    llm_wording_quotes: int = Field(
        default=8, description="most quotes of a tip shown to the model when it words the tip"
    )
    outcome_weight: float = Field(
        default=0.0,
        description="ranking: sessions-equivalent weight of each net 'worked' outcome learners "
        "reported (worked + partly/2 - did not); 0 ranks by mentions alone",
    )


class PeersSettings(BaseModel):
    """Peer recommendation: evidence gathering, ranking weights and load spreading."""

    retrieve_k: int = Field(
        default=40, description="chunks retrieved per topic (dense and lexical)"
    )
    relevance: Literal["embedding", "terms", "blend"] = Field(
        default="embedding", description="how a turn's relevance to the topic is measured"
    )
    # Calibrated with `python -m evals.peers_eval --calibrate`: on the samples every covered
    # topic reaches 0.44 and no uncovered one 0.30. With `evidence_lexical_share` it only decides
    # which sessions discuss a topic at all ("nobody" when none does), never who ranks first.
    min_relevance: float = Field(
        default=0.3, description="a session discusses the topic when one of its chunks reaches "
        "this cosine (or a turn reaches evidence_lexical_share)"
    )
    evidence_lexical_share: float = Field(
        default=0.3, description="a session discusses the topic when one turn holds this share "
        "of the topic's terms (IDF-weighted; the samples' off-topic questions stay below 0.28)"
    )
    evidence_distinct_terms: int = Field(
        default=2, description="a session also discusses the topic when one turn says this many "
        "different topic terms (0: off); off-topic questions on the samples join at most one"
    )
    evidence_min_words: int = Field(
        default=20, description="a turn without the topic's words is evidence only this long, "
        "in a chunk reaching min_relevance (pleasantries never are)"
    )
    evidence_stretch: float = Field(
        default=0.5, description="a substantial turn is evidence where the topic's localised "
        "stretch reaches this share of its peak (QMSum train: the top speaker of a topic "
        "lacks evidence on 3/545 topics, 12/545 without; 4.32 people with evidence, 4.23)"
    )
    person_min_relevance: float = Field(
        default=0.25, description="a person whose best turn stays below this is a weak match"
    )
    turn_floor: float = Field(default=0.1, description="turns less relevant than this add nothing")
    repeat_decay: float = Field(
        default=0.95, description="diminishing returns: the k-th best turn counts decay**k"
    )
    full_turn_words: int = Field(default=60, description="turns this long count in full")
    session_weight: float = Field(default=0.3, description="bonus per doubling of sessions")
    recency_half_life_days: float = 365.0
    recency_floor: float = Field(default=0.5, description="weight of very old evidence")
    facilitator_bonus: float = Field(
        default=0.3, description="bonus for facilitating a session on the topic (teaching)"
    )
    question_weight: float = Field(default=0.3, description="weight of a turn that only asks")
    shadow_question_weight: float = 0.1
    shadow_practice_boost: float = Field(
        default=1.0, description="--shadow: extra weight for first-person practice"
    )
    shadow_other_weight: float = Field(
        default=0.6, description="--shadow: weight of turns that describe no practice"
    )
    context_weight: float = Field(
        default=0.5, description="share of a turn's relevance taken from the chunk around it"
    )
    mention_weight: float = Field(
        default=0.5, description="a turn that talks about a person counts this much for them"
    )
    notes_mention_weight: float = Field(
        default=1.0, description="notes turns that name a person count for that person"
    )
    notes_author_weight: float = Field(
        default=0.4, description="what the notes' author gets for a turn about someone else"
    )
    load_window_days: float = Field(default=14.0, description="recent window for load spreading")
    load_penalty: float = Field(
        default=0.05, description="score divided by 1 + load_penalty x recent recommendations"
    )
    max_quotes: int = 3
    default_limit: int = 3
    # Expertise in a session (features/peers/localise.py, expertise.py). Fitted on QMSum train
    # topics, out-of-fold by meeting, by `python -m evals.fit_expertise` (it writes the values as
    # JSON; evals/results/expertise_fit.md holds the last run).
    expertise_sessions: int = Field(
        default=8, description="sessions read in full per topic (best retrieved first)"
    )
    expertise_session_focus: float = Field(
        default=0.05, description="across sessions: a session's shares count exp(-gap/focus), gap "
        "= how far its best chunk is below the best session's (0: weight by its best chunk); "
        "chosen on the twelve train role questions (python -m evals.role_questions --focus)"
    )
    expertise_lexical_share: float = Field(
        default=0.75, description="localising a topic: share of BM25 over turns in the blend "
        "with the stored chunk vectors' cosine (the rest)"
    )
    expertise_width: float = Field(default=8.0, description="turns a topic's stretch spreads")
    expertise_power: float = Field(default=2.0, description="how sharply the stretch peaks")
    expertise_answer_weight: float = Field(
        default=0.0, description="extra for a turn answering someone else's question"
    )
    expertise_named_weight: float = Field(
        default=0.5, description="credit for being asked or named by a colleague"
    )
    expertise_talk_prior: float = Field(
        default=0.05, description="weight of a person's share of all the session's words"
    )
    role_weight: float = Field(
        default=2.0, description="bonus share for the directory role that fits the topic best "
        "(with role_temperature: a plateau of 20/24 right role first, 23/24 top three on the 24 "
        "train role questions, in-sample: python -m evals.role_questions --grid)"
    )
    role_temperature: float = Field(
        default=0.05, description="a role this much cosine below the best-fitting one gets 1/e "
        "of its bonus (roles under the 0.1 floor get none)"
    )
    role_profile_weight: float = Field(
        default=0.8, description="a role the fitted profiles know (features/peers/"
        "role_profiles.json: which role says a topic's words in train meetings) adds this "
        "times its profile score to its role cosine (24 train role questions, in-sample for "
        "this weight, profiles fitted without their series: right role first 20 -> 22/24 at "
        "0.4-0.8 with role_weight 2.0; python -m evals.role_questions --grid)"
    )
    llm_reasons: bool = Field(
        default=True,
        description="let the LLM provider word each suggestion's reason (verified against the "
        "person's quotes, else the rule-based reason); no effect with the extractive provider",
    )


class SummarySettings(BaseModel):
    """Facilitator summaries: sentence selection, action items, open questions, links.

    The similarity thresholds are cosines of the bundled MiniLM, calibrated with
    `python -m evals.summaries_eval --calibrate` (the answered thresholds on the sample gold);
    another embedding model needs new values (and `evals/train_summary_scorer.py` rerun).
    """

    on_ingest: bool = Field(default=True, description="summarise each new or changed session")
    generator: str = Field(
        default="auto",
        description="auto (the chat model when llm.provider names one, else extractive), "
        "extractive, or llm",
    )
    min_overview_sentences: int = 3
    max_overview_sentences: int = 5
    key_points: int = Field(default=5, description=(
        "key points after the overview (the length budget chosen by train CV: "
        "evals/train_summary_scorer.py)"))
    tips: int = Field(default=5, description="most tips listed in a summary")
    framing_filter: bool = Field(default=True, description=(
        "keep sentences about the session itself (what it is, its notes, format or series, the "
        "speaker's plan for the talk) out of the overview and key points: "
        "companion/core/framing.py"))
    # Overview and key points are picked by the learned scorer (companion/features/summaries/
    # scorer_weights.json, fitted on QMSum train with evals/train_summary_scorer.py, which also
    # fits its MMR lambda). mmr_lambda weighs salience against redundancy for tips;
    # position_weight is read by evals/runner.py only (kept so its call stays valid).
    mmr_lambda: float = 0.7
    position_weight: float = 0.2
    min_words: int = Field(default=6, description="shorter sentences are filler")
    max_words: int = Field(default=60, description="longer sentences read as monologue")
    min_content_terms: int = 3
    max_disfluency: float = Field(
        default=0.15, description="share of um/uh/repeated words above which a sentence is filler"
    )
    answer_window: int = Field(default=3, description="turns after a question searched for a reply")
    # Cosine of a later reply to the question at or above which it answers the question.
    answered_similarity: float = 0.45
    # Cosine of a statement in another session at or above which it answers an open question.
    answered_elsewhere_similarity: float = 0.62
    retrieve_k: int = Field(default=12, description="chunks retrieved per open question")
    same_point_similarity: float = Field(
        default=0.75, description="cosine at or above which two points merge in a series digest"
    )
    peers_per_question: int = 3
    link_template: str = Field(
        default="/sessions/{session_id}?turn={turn}#t={seconds}",
        description="where a citation links (`{session_id}`, `{seconds}`, `{turn}`); default: "
        "this server's transcript view; e.g. https://intranet.example/s/{session_id}#t={seconds}",
    )


class LoopSettings(BaseModel):
    """The learning loop: tries, outcomes and reflections of learners."""

    follow_up_days: int = Field(
        default=7, ge=0,
        description="days after an 'I'll try this' before the widget asks how it went",
    )
    max_reflection_chars: int = Field(
        default=1_000, ge=1, description="longest reflection a learner may write"
    )
    retention_days: int | None = Field(
        default=None, ge=0, description="tries (and their reflections) older than this are deleted"
    )
    flag_min_outcomes: int = Field(
        default=5, ge=1, description="outcomes a tip needs before it can be flagged as unhelpful"
    )
    flag_useful_share: float = Field(
        default=0.34, description="a tip is flagged when fewer than this share found it useful"
    )

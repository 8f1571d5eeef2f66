"""Peer recommendation: "who should I talk to, or shadow, about X?", answered from the sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from companion.core.errors import InputError
from companion.features.peers.evidence import attribute, collect_turns, score_relevance
from companion.features.peers.expert_ranking import rank_by_expertise
from companion.features.peers.history import RecommendationLog
from companion.features.peers.llm_reason import LLMReasoner, make_llm_reasoner
from companion.features.peers.models import PeerResult, PeerSuggestion
from companion.features.peers.people_source import DirectoryResolver, PersonResolver
from companion.features.peers.quotes import pick_quotes
from companion.features.peers.ranking import PersonScore, rank_people
from companion.features.peers.reasons import reason_for
from companion.features.peers.role_profiles import default_profiles
from companion.features.peers.roles import role_fit
from companion.features.peers.turn_vectors import TurnVectors
from companion.features.people import PeopleDirectory
from companion.retrieval.context import Context
from companion.retrieval.hybrid import HybridRetriever, Mode, Retrieval, SearchFilters

MAX_TOPIC_CHARS = 1_000


def nobody_message(topic: str) -> str:
    """What the user reads when nobody can be suggested."""
    return f'Nobody I can suggest has spoken about "{topic}" in the sessions.'


@dataclass
class Ranking:
    """Who may be suggested, best first, before the limit (the evals read this)."""

    people: list[PersonScore] = field(default_factory=list)
    best_relevance: float = 0.0
    topic_vector: list[float] = field(default_factory=list, repr=False)
    candidates: list[PersonScore] = field(default_factory=list, repr=False)
    """Everyone who may be suggested (the same list: no threshold drops a person)."""
    retrieval: Retrieval | None = field(default=None, repr=False)


class PeerService:
    """Ranks people by what they said about a topic, with quotes that verify.

    Args:
        ctx: the stores and the model.
        resolver: who a speaker is; default: the people directory in the catalog.
        record: record suggestions for load spreading (evals turn it off).
        reasoner: words reasons with a chat model; default: the configured provider's when
            `peers.llm_reasons` allows (none with `extractive`: rule-based reasons only).
    """

    def __init__(
        self,
        ctx: Context,
        resolver: PersonResolver | None = None,
        record: bool = True,
        reasoner: LLMReasoner | None = None,
    ) -> None:
        self.ctx = ctx
        self.settings = ctx.settings.peers
        self.resolver = resolver or DirectoryResolver(PeopleDirectory(ctx.catalog))
        self.record = record
        self.log = RecommendationLog(ctx.catalog, self.settings.load_window_days)
        self.reasoner = reasoner or make_llm_reasoner(ctx)

    def recommend(
        self,
        topic: str,
        shadow: bool = False,
        exclude: str | None = None,
        limit: int | None = None,
        filters: SearchFilters | None = None,
    ) -> PeerResult:
        """Up to `limit` people to contact (or shadow) about the topic, best first.

        Raises:
            InputError: An empty or overlong topic, a bad limit, or an `exclude` that names
                nobody in the directory.
        """
        limit = self.settings.default_limit if limit is None else limit
        if limit < 1:
            raise InputError("limit must be at least 1")
        ranking = self.rank(topic, shadow, exclude, filters)
        chosen = ranking.people[:limit]
        self._explain(chosen, ranking, topic, shadow)
        suggestions = [
            s for s in (self._suggestion(p, ranking, topic, shadow) for p in chosen)
            if s.evidence
        ]
        if self.record and suggestions:
            self.log.record(s.person_id for s in suggestions)
        return PeerResult(
            topic=topic, shadow=shadow, suggestions=suggestions,
            message=None if suggestions else nobody_message(topic),
        )

    def rank(
        self,
        topic: str,
        shadow: bool = False,
        exclude: str | None = None,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
    ) -> Ranking:
        """Everyone who may be suggested and has evidence on the topic, best first."""
        topic = topic.strip()
        if not topic:
            raise InputError("give a topic, e.g. \"running a retrospective\"")
        if len(topic) > MAX_TOPIC_CHARS:
            raise InputError(f"topic is too long ({len(topic)} characters; the limit is "
                             f"{MAX_TOPIC_CHARS})")
        excluded = self._excluded(exclude)
        retrieval = self._retriever().retrieve(
            topic, filters or SearchFilters(), limit=self.settings.retrieve_k, mode=mode
        )
        experts = rank_by_expertise(topic, self.ctx.catalog, retrieval, self.resolver,
                                    self.settings, shadow=shadow, vectors=self.ctx.vectors)
        fit = role_fit(topic, [e.person for e in experts], self.ctx.embeddings,
                       retrieval.query_vector, self.settings.role_temperature,
                       default_profiles(), self.settings.role_profile_weight)
        people = [
            PersonScore(e.person, sessions=e.sessions,
                        evidence_score=e.score * (1 + self.settings.role_weight * fit.get(
                            e.person.id, 0.0)))
            for e in experts
            if e.person.recommendable and e.person.id != excluded
        ]
        self._spread_load(people)
        people.sort(key=lambda p: (-p.score, p.person.id))
        best = max((c.similarity or 0.0 for c in retrieval.chunks), default=0.0)
        topic_vector = retrieval.query_vector or self.ctx.embeddings.embed_query(topic)
        return Ranking(people, best, topic_vector, people, retrieval)

    def _explain(self, chosen: list[PersonScore], ranking: Ranking, topic: str,
                 shadow: bool) -> None:
        """Fill the chosen people's quotes' sources: their turns in the retrieved chunks."""
        if ranking.retrieval is None:
            return
        turns = collect_turns(self.ctx.catalog, ranking.retrieval)
        vectors = TurnVectors(self.ctx.catalog, self.ctx.embeddings)
        score_relevance(turns, topic, ranking.retrieval.query_vector, vectors,
                        self.settings.relevance, self.settings.context_weight)
        ids = {p.person.id for p in chosen}
        attributions = [a for a in attribute(turns, self.resolver, self.settings)
                        if a.person.id in ids]
        explained = {e.person.id: e for e in rank_people(
            attributions, self.resolver, self.settings, shadow=shadow, today=date.today())}
        for p in chosen:
            e = explained.get(p.person.id)
            if e is not None:
                p.attributions, p.facilitated = e.attributions, e.facilitated
                p.practice, p.best_relevance = e.practice, e.best_relevance

    def _retriever(self) -> HybridRetriever:
        # A generous k: people are found through many chunks, not the handful an answer needs.
        k = self.settings.retrieve_k
        retrieval = self.ctx.settings.retrieval.model_copy(update={"dense_k": k, "lexical_k": k})
        return HybridRetriever(self.ctx.catalog, self.ctx.vectors, self.ctx.embeddings, retrieval)

    def _excluded(self, exclude: str | None) -> str | None:
        if exclude is None or not exclude.strip():
            return None
        person = self.resolver.find(exclude)
        if person is None:
            raise InputError(f"--exclude: no person with id or alias '{exclude}'")
        return person.id

    def _spread_load(self, people: list[PersonScore]) -> None:
        counts = self.log.recent_counts(p.person.id for p in people)
        for p in people:
            p.recent_recommendations = counts.get(p.person.id, 0)
            p.score = p.evidence_score / (1 + self.settings.load_penalty * p.recent_recommendations)

    def _suggestion(
        self, p: PersonScore, ranking: Ranking, topic: str, shadow: bool
    ) -> PeerSuggestion:
        evidence = pick_quotes(
            p.attributions, ranking.topic_vector, self.ctx.embeddings, self.ctx.verifier,
            self.settings.max_quotes,
        )
        person = p.person
        reason = reason_for(p, self.settings.person_min_relevance, shadow)
        if self.reasoner is not None and evidence:
            reason = self.reasoner.reason(person.name, topic.strip(), evidence, fallback=reason)
        return PeerSuggestion(
            person_id=person.id, name=person.name, role=person.role, team=person.team,
            contact=person.contact, score=round(p.score, 4), evidence=evidence, reason=reason,
        )

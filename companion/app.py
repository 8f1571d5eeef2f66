"""The composition root: builds the stores and every feature once, for API, CLI, evals and bench.

The explicit feature list below is the only place features are wired: ingest gets their
listeners, forget and delete get their hooks, export/import get their tables and migrations.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from companion.auth.citation_links import CitationLinks
from companion.auth.keys import KEYS_SCHEMA, KeyStore
from companion.auth.links import LinkSigner, load_secret
from companion.core.feature import Feature, Migration
from companion.core.settings import Settings
from companion.features.ask.service import AnswerService
from companion.features.feedback import feature as feedback_feature
from companion.features.feedback.store import FeedbackStore
from companion.features.insights import feature as insights_feature
from companion.features.insights.service import InsightsService
from companion.features.loop import feature as loop_feature
from companion.features.loop.service import LoopService
from companion.features.peers import feature as peers_feature
from companion.features.peers.service import PeerService
from companion.features.people import feature as people_feature
from companion.features.people.directory import PeopleDirectory
from companion.features.privacy.service import PrivacyService
from companion.features.summaries import feature as summaries_feature
from companion.features.summaries.service import SummaryService
from companion.features.tips import feature as tips_feature
from companion.features.tips.feature import TipService
from companion.retrieval.context import Context
from companion.retrieval.hybrid import HybridRetriever
from companion.storage.catalog import CHUNK_VECTORS
from companion.storage.catalog import SCHEMA as CATALOG_SCHEMA
from companion.storage.migrations import apply_migrations
from ingest.audit import SCHEMA as AUDIT_SCHEMA
from ingest.service import AuditedPipeline
from ingest.tombstones import SCHEMA as TOMBSTONES_SCHEMA
from ingest.uploads import UploadService

# The stores below the features, with their part of the schema.
CORE_MIGRATIONS = (
    Migration("catalog", 1, CATALOG_SCHEMA),
    Migration("catalog", 2, CHUNK_VECTORS),
    Migration("audit", 1, AUDIT_SCHEMA),
    Migration("tombstones", 1, TOMBSTONES_SCHEMA),
    Migration("keys", 1, KEYS_SCHEMA),
)
# Order matters for listeners: tips first, so a session's summary sees its tips.
FEATURES = (
    people_feature, feedback_feature, tips_feature, peers_feature, summaries_feature,
    insights_feature,
)

# The whole catalog schema, in order: the stores', then each feature module's `MIGRATIONS`.
SCHEMA: tuple[Migration, ...] = (
    *CORE_MIGRATIONS,
    *(m for module in (*FEATURES, loop_feature) for m in module.MIGRATIONS),
)


class Companion:
    """The companion for one process: stores, features and services, each built once.

    Args:
        settings: where data lives and which providers to use (default: the environment).
        ctx: an open context to use instead of opening one (tests share one model).
        show_progress: show progress bars for long work.
        embeddings: an already loaded embedding model.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        ctx: Context | None = None,
        show_progress: bool = False,
        embeddings: Any = None,
    ) -> None:
        self.ctx = ctx or Context(settings or Settings(), show_progress, embeddings)
        self.settings = self.ctx.settings
        self._migrated = False

    # -- features ----------------------------------------------------------------------------

    @cached_property
    def features(self) -> list[Feature]:
        """Every feature, built once, with the catalog schema brought up to date first."""
        self.migrate()
        built = [module.build(self.ctx) for module in FEATURES]
        # The loop needs tips and the pipeline; tips read its outcomes back through a provider.
        tips: TipService = next(f.service for f in built if f.name == "tips")
        loop = loop_feature.build(self.ctx, tips, self.pipeline, self._questions_by_week)
        tips.use_outcomes(loop.service)
        return [*built, loop]

    def feature(self, name: str) -> Feature:
        """One feature by name."""
        for f in self.features:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def migrations(self) -> list[Migration]:
        """The whole schema: the stores' migrations, then every feature's."""
        return list(SCHEMA)

    def migrate(self) -> None:
        """Apply the migrations this catalog has not had yet (once per process)."""
        if not self._migrated:
            apply_migrations(self.ctx.catalog, self.migrations)
            self._migrated = True

    # -- ingest ------------------------------------------------------------------------------

    def pipeline(self, actor: str | None = None) -> AuditedPipeline:
        """The ingest pipeline with every feature's listener; `actor` is named in the audit."""
        listeners = [f.listener for f in self.features if f.listener is not None]
        return AuditedPipeline(self.ctx, listeners, actor)

    # -- services ----------------------------------------------------------------------------

    @cached_property
    def retriever(self) -> HybridRetriever:
        """Dense + lexical retrieval over the stores."""
        return self.ctx.retriever

    @cached_property
    def answers(self) -> AnswerService:
        """Ask."""
        return AnswerService(self.ctx)

    @property
    def tips(self) -> TipService:
        """Top tips."""
        service: TipService = self.feature("tips").service
        return service

    @property
    def peers(self) -> PeerService:
        """Who to talk to or shadow."""
        service: PeerService = self.feature("peers").service
        return service

    @property
    def summaries(self) -> SummaryService:
        """Session summaries, digests, open questions."""
        service: SummaryService = self.feature("summaries").service
        return service

    @property
    def people(self) -> PeopleDirectory:
        """The people directory."""
        service: PeopleDirectory = self.feature("people").service
        return service

    @property
    def feedback(self) -> FeedbackStore:
        """Readers' feedback."""
        service: FeedbackStore = self.feature("feedback").service
        return service

    @property
    def insights(self) -> InsightsService:
        """What learners ask (the learner-question log)."""
        service: InsightsService = self.feature("insights").service
        return service

    @cached_property
    def link_signer(self) -> LinkSigner:
        """Signs transcript links and console sessions with this install's secret."""
        return LinkSigner(load_secret(self.settings.data_dir))

    def citation_links(self, admin: bool, base: str = "") -> CitationLinks:
        """Transcript links for an admin or a widget reader (`base` prefixes relative links)."""
        web = self.settings.web
        return CitationLinks(
            self.ctx.catalog, self.link_signer, self.settings.summaries.link_template,
            "admin" if admin else "widget",
            web.admin_link_ttl_seconds if admin else web.link_ttl_seconds, base,
        )

    @property
    def loop(self) -> LoopService:
        """The learning loop: tries, outcomes, reflections, impact."""
        service: LoopService = self.feature("loop").service
        return service

    def _questions_by_week(self, weeks: int) -> dict[str, int]:
        """Questions learners asked per week (the insights log), for impact figures."""
        return {w.week: w.asked for w in self.insights.report(weeks=weeks).weekly}

    @cached_property
    def keys(self) -> KeyStore:
        """API keys."""
        return KeyStore(self.ctx.catalog)

    @cached_property
    def uploads(self) -> UploadService:
        """Uploaded transcripts, ingested through the pipeline."""
        return UploadService(self.ctx, self.pipeline)

    @cached_property
    def privacy(self) -> PrivacyService:
        """Forget, retention, export and import, through every feature's hooks."""
        return PrivacyService(self.ctx, self.pipeline, lambda: self.features, self.migrations)

    def close(self) -> None:
        """Release this thread's catalog connection."""
        self.ctx.close()


def build_pipeline(ctx: Context, actor: str | None = None) -> AuditedPipeline:
    """The pipeline the CLI, the API and the tests use, for an open context."""
    return Companion(ctx=ctx).pipeline(actor)


def features_for(ctx: Context) -> Sequence[Feature]:
    """Every feature wired for an open context (tests, evals)."""
    return Companion(ctx=ctx).features

"""Privacy operations over every feature: forget a person, retention, export and import.

The composition root hands this service the pipeline factory, the features (for their forget
hooks) and the whole schema's migrations; it never touches another feature's tables itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from companion.core.feature import Feature, Migration
from companion.features.privacy.export import export_state
from companion.features.privacy.forget import ForgetReport, forget_person
from companion.features.privacy.importer import import_state
from companion.features.privacy.manifest import Manifest
from companion.retrieval.context import Context
from ingest.retention import PurgeReport, purge_sessions
from ingest.service import PipelineFactory


class PrivacyService:
    """Forget, retention, export and import for one companion.

    Args:
        ctx: the stores.
        pipeline: builds the ingest pipeline (every feature's listener) for an actor.
        features: returns every feature (built on first use).
        migrations: the whole catalog schema.
    """

    def __init__(
        self,
        ctx: Context,
        pipeline: PipelineFactory,
        features: Callable[[], Sequence[Feature]],
        migrations: Sequence[Migration],
    ) -> None:
        self.ctx = ctx
        self.pipeline = pipeline
        self.features = features
        self.migrations = migrations

    def forget(self, person_id: str, actor: str) -> ForgetReport:
        """Remove a person from the directory, their words from sessions and every feature."""
        return forget_person(
            self.ctx, person_id, actor, self.pipeline(actor), self.features()
        )

    def purge(
        self, days: int, actor: str, today: date | None = None, dry_run: bool = False
    ) -> PurgeReport:
        """Delete sessions older than `days` (by date, else ingest time) with derived data."""
        return purge_sessions(
            self.ctx, days, actor, today=today, dry_run=dry_run, pipeline=self.pipeline(actor)
        )

    def export(self, path: Path, actor: str) -> Manifest:
        """Export the whole state (not API keys) to a folder or .tar.gz."""
        return export_state(self.ctx, path, actor, self.pipeline(actor))

    def import_(self, path: Path, actor: str, replace: bool = False) -> Manifest:
        """Import an export without re-embedding."""
        return import_state(self.ctx, path, actor, replace=replace, migrations=self.migrations)

"""Settings of the shared machinery: embeddings, Chroma, chunking, retrieval, LLM, API, web.

Read through `companion.core.settings.Settings`, never on their own.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import NoDecode


class EmbeddingSettings(BaseModel):
    """Sentence-transformers model used for chunks and queries."""

    model_path: str | None = Field(
        default=None, description="folder of a sentence-transformers model; default: bundled MiniLM"
    )
    batch_size: int = 64
    device: str = "cpu"
    threads: int | None = Field(default=None, description="torch threads; default: all cores")


class ChromaSettings(BaseModel):
    """Vector store: embedded by default, a Chroma server when `url` is set."""

    url: str | None = Field(default=None, description="e.g. http://localhost:8001")
    collection: str = "companion_chunks"


class ChunkingSettings(BaseModel):
    """Token budget per chunk, measured with the embedding model's tokenizer."""

    max_tokens: int = 192
    min_tokens: int = 48


class RetrievalSettings(BaseModel):
    """Hybrid retrieval and abstention."""

    # Fusion calibrated on QMSum val (237 questions): lexical ranks weigh a little more than
    # dense ones (BM25 alone beat dense alone there, hit@5 0.49 vs 0.40); k=30 and 100 candidates
    # per index sat on a broad plateau (hit@5 0.53-0.54 vs 0.51 for k=60, equal weights).
    dense_k: int = 100
    lexical_k: int = 100
    rrf_k: int = 30
    lexical_weight: float = 1.25
    # "learned": a logistic model over dense, BM25, session, neighbour and speaker features,
    # fitted on QMSum train by evals/train_fusion.py (companion/retrieval/fusion_weights.json);
    # "rrf": reciprocal-rank fusion with the constants above (also the fallback without weights).
    fusion: Literal["learned", "rrf"] = "learned"
    # Map the question's vector with the linear adapter fitted on QMSum train before the dense
    # search (companion/retrieval/adapter.npz, evals/train_adapter.py); fusion and confidence
    # then use their weights fitted on adapted candidates (*_adapted.json). QMSum val: dense
    # recall@5 0.425 -> 0.481, fused 0.532 -> 0.558, answer hit 0.495 -> 0.527. Off by default:
    # on the samples gate it abstains on 5 of 10 unanswerable questions (F1 0.667 < 0.70).
    query_adapter: bool = False
    # Embed the question without its leading framing ("Summarize the discussion about ...",
    # "What did X think of ..."; `retrieval.focus.focus`) for the dense search; BM25, the
    # fusion features and the returned query vector keep the question as asked. QMSum train
    # shard 1 (outside the fusion's fit), shipped weights: recall@5 0.559 -> 0.570 over its own
    # store, 0.437 -> 0.449 beside shard 0's meetings (dense alone, paired 0+1: 0.428 -> 0.444).
    focus_query: bool = True
    # With learned fusion: log-odds a chunk loses per better-placed neighbour (same session,
    # adjacent chunk) when the first ten places are filled; 0 ranks by probability alone.
    # Off by default: at 2.0, QMSum train (out-of-fold) recall@5 0.502 -> 0.516 and QMSum val
    # 0.532 -> 0.548, but the samples gate's recall@5 fell 0.761 -> 0.587 (their evidence sits
    # in neighbouring chunks). Answers quote by probability either way.
    diversify: float = 0.0
    answer_chunks: int = 5
    # Best cosine of the question to any chunk below which the sessions do not cover it.
    # QMSum val: in-scope questions' best cosine >= 0.30 (2nd percentile 0.34), off-topic <= 0.32;
    # sample corpus: answerable >= 0.34. Near-miss questions (same domain, not covered) overlap
    # the answerable range; a threshold cannot catch them all.
    abstain_threshold: float = 0.32
    # With learned fusion: abstain when P(on topic) of the confidence model is below this; None
    # uses the threshold fitted on QMSum train (companion/features/ask/confidence_weights.json).
    confidence_threshold: float | None = None
    # A passage this close (cosine) clearly matches: answer even when the confidence model,
    # fitted on QMSum meetings, doubts. Set by hand above the off-topic range measured on QMSum
    # val (<= 0.32), for small corpora unlike QMSum where P(on topic) reads low.
    answer_similarity: float = 0.4
    # With learned fusion, chunks below this share of the best chunk's probability (or of a
    # session below this share of the best session's mass) are not quoted. Swept on QMSum train
    # (evals/train_fusion_figures.json, out-of-fold rankings over paired shards): both trade
    # answer hits for citation precision (0: answer hit 0.516, citation precision 0.183; 0.3:
    # 0.491 / 0.196; 0.5: 0.442 / 0.212), so both stay off.
    answer_min_relative: float = 0.0
    answer_min_session: float = 0.0


class LLMSettings(BaseModel):
    """Generation provider; `extractive` needs no model."""

    provider: str = "extractive"
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    model_path: str | None = None
    temperature: float = 0.0
    max_tokens: int = 400
    timeout: float = 60.0
    max_retries: int = 2
    retry_base_delay: float = Field(
        default=0.5, description="seconds before the first retry; doubles each attempt"
    )
    threads: int | None = Field(default=None, description="torch threads for `local`")
    # Grounding of model sentences (GroundingVerifier with the embedding model), calibrated on
    # the sample gold with `python -m evals.llm_calibrate`: gold-answer sentences against
    # their evidence kept 68%, against the closest other question's evidence 3% let through,
    # unrelated corpus sentences 0% (0.6/0.6 kept only 20%). Another embedding model needs new
    # values.
    min_term_recall: float = Field(
        default=0.3, description="share of a sentence's content terms its quote must contain"
    )
    min_similarity: float = Field(
        default=0.45, description="cosine a sentence must reach with its quote"
    )
    min_supported_sentences: int = Field(
        default=1, description="fewer verified sentences than this: fall back to extractive"
    )
    attribute_uncited: bool = Field(
        default=True,
        description="cite a sentence the model left uncited to a passage that supports it",
    )


class APISettings(BaseModel):
    """HTTP service limits."""

    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 5_000_000
    max_question_chars: int = 1_000
    rate_limit_per_minute: int = Field(default=60, description="per client address")
    rate_limit_burst: int = Field(default=30, description="per client address")
    # A widget key is shared by everyone on the pages that embed it, so its own budget is larger
    # than one address's.
    key_rate_limit_per_minute: int = Field(default=600, description="per API key")
    key_rate_limit_burst: int = Field(default=120, description="per API key")
    origin_cache_seconds: float = Field(
        default=5.0, description="how long CORS reuses the allowed-origin list of widget keys"
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="addresses or networks of reverse proxies whose X-Forwarded-For is believed "
        "(comma-separated in the environment); default: none, the peer address is the client",
    )
    demo_page: bool = Field(
        default=True, description="serve /demo (embeds a widget key given in its URL)"
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        for item in value if isinstance(value, list) else []:
            ipaddress.ip_network(str(item).strip(), strict=False)  # ValueError names it
        return value


class WebSettings(BaseModel):
    """Transcript links, the facilitator console, the learner-question log, library noise."""

    link_ttl_seconds: int = Field(
        default=3600, ge=1, description="how long a widget reader's transcript link works"
    )
    admin_link_ttl_seconds: int = Field(
        default=7 * 86400, ge=1, description="how long an admin's transcript link works"
    )
    console_session_hours: float = Field(default=8.0, description="console sign-in lifetime")
    questions_retention_days: int | None = Field(
        default=180, ge=0, description="learner questions older than this are deleted"
    )
    library_progress: bool = Field(
        default=False, description="let transformers/huggingface print their own progress bars"
    )
    public_url: str | None = Field(
        default=None,
        description="where people reach `companion serve`, e.g. https://companion.intranet; "
        "CLI summaries then link to its transcript view with signed links",
    )

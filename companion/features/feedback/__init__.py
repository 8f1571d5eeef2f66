"""Feedback from readers (helpful, wrong citation, broken link...), kept in the catalog."""

from companion.features.feedback.store import FeedbackIn, FeedbackRecord, FeedbackStore

__all__ = ["FeedbackIn", "FeedbackRecord", "FeedbackStore"]

"""Turning transcripts and notes into sessions, chunks and index entries."""

"""The catalog's tables: sessions, turns, chunks with their FTS5 index and vectors, the journal."""

# Version 2 of the catalog (a migration of its own, so an older store or export gains it).
CHUNK_VECTORS = """
-- Each chunk's vector as written to Chroma (float32 bytes): retrieval reads the vectors of
-- lexical-only hits here, one indexed SELECT, instead of a Chroma `get` (17 ms of a 125 ms ask
-- at 100k chunks). A chunk without a row (a store written before this table) is read from Chroma.
CREATE TABLE IF NOT EXISTS chunk_vectors (
    chunk_id TEXT PRIMARY KEY,
    vector BLOB NOT NULL
);
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    date TEXT,
    kind TEXT,
    facilitator TEXT,
    series TEXT,
    consent INTEGER NOT NULL DEFAULT 1,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    speaker TEXT,
    text TEXT NOT NULL,
    start REAL,
    "end" REAL,
    section TEXT,
    PRIMARY KEY (session_id, idx)
);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    turn_start INTEGER NOT NULL,
    turn_end INTEGER NOT NULL,
    start REAL,
    "end" REAL,
    speakers TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_session ON chunks(session_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, content='chunks', content_rowid='rowid', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
-- Sessions whose vectors or derived data (tips, summaries) may disagree with the catalog (an
-- ingest or delete in progress, or one that was killed): the next run reconciles them first.
CREATE TABLE IF NOT EXISTS vector_journal (
    session_id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL
);
"""

"""Adapters for the embedding model, the vector store and the catalog, chosen by settings."""

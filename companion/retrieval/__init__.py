"""Dense + lexical retrieval, fusion and filters."""

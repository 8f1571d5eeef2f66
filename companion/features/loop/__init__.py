"""The learning loop: try a tip, say how it went, see what works."""

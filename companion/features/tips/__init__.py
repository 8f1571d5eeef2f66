"""Top tips: advice pulled out of sessions, de-duplicated, ranked by support, with quotes."""

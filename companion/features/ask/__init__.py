"""Answer composition, grounding verification and abstention."""

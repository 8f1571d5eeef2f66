"""What learners ask: a log of questions (no personal data) for facilitators' insights."""

"""Learning companion: keep what colleagues said in peer-learning sessions, and find it again."""

"""Peer recommendation: who to talk to or shadow about a topic, with the evidence."""

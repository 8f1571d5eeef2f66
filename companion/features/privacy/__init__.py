"""Privacy: forgetting a person, retention, the audit log, and moving state between machines."""

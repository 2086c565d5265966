"""One module per rule; each defines ``RULE``. See RULES.md for the generated catalogue."""

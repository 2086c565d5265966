"""`lake demo`: the data client on a local, policy-enforcing copy of the dev lake."""

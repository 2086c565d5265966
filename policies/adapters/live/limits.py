"""Defaults of the live read that the command line shows in its help: kept apart from the
modules that import boto3, so that building `lake`'s parser (every command) never imports it."""

DEFAULT_CONCURRENCY = 16  # reads in flight at once

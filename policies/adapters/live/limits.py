"""Defaults of the live read that the command line shows in its help: kept apart from the
modules that import boto3, so that building `lake`'s parser (every command) never imports it."""

# Reads in flight at once. At S3's tens of milliseconds per request the audit waits more than it
# works: on the benchmarks' endpoint (30 ms to first byte, 200 buckets, 1,830 requests, 2 cores),
# 16 in flight took 5.3 s, 32 took 3.8 s and 64 took 3.6 s (medians of 4, CPU 3.1 to 3.3 s): 32
# takes nearly all of the gain, while staying gentle on the account's API rate limits (throttled
# calls are retried with backoff, session.py).
DEFAULT_CONCURRENCY = 32

"""Defaults of the live read that the command line shows in its help: kept apart from the
modules that import boto3, so that building `lake`'s parser (every command) never imports it."""

# Reads in flight at once in one account's audit. At S3's tens of milliseconds per request the
# audit waits more than it works, and one process spends about 1.1 ms of CPU per request (botocore
# under one GIL): on the benchmarks' endpoint (30 ms to first byte, 200 buckets, 1,831 requests,
# 2 cores), threads alone took 5.3 s at 16 in flight, 3.8 s at 32 and 3.6 s at 64; with the bucket
# reads shared with a worker process beyond 32 in flight (shards.py), 48 took 3.07 s and 64 2.92 s
# against 3.78 s at 32 (medians of 5 alternating runs, load 2.3 to 2.8). 64 stays gentle on an
# account's API rate limits (throttled calls are retried with backoff, session.py).
DEFAULT_CONCURRENCY = 64
# Per account of an organisation-wide audit (lake/org_audit.py), where the accounts already run in
# worker processes side by side: 32 each, as that audit was measured (benchmarks/audit_org.py).
ACCOUNT_CONCURRENCY = 32

"""Transfer defaults that `lake data --help` shows: kept apart from the modules that import boto3
and s3transfer, so that building `lake`'s parser (every command) never imports them."""

MiB = 1024 * 1024
DEFAULT_MULTIPART_THRESHOLD = 16 * MiB  # files from this size go up in parts, in parallel
DEFAULT_PART_SIZE = 16 * MiB

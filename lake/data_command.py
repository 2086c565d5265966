"""The `lake data` command line: the data client (lake/data) for shells and scripts.

Exit codes (the table in lake/cli.py): 0 done; 1 the operation failed (missing object, access
denied, throttled, a sync with failed files), with one `error:` line and one `hint:` line; 2 bad
usage or input. Errors are raised here and reported by lake/cli.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lake import inputs
from lake.errors import EXIT_NO as EXIT_FAILED, EXIT_OK
from lake.inputs import argument
from lake.progress import Transfer
from lake.terminal import counted

MiB = 1024 * 1024
READ_FORMATS = ("bytes", "text", "json", "csv")


def _common() -> argparse.ArgumentParser:
    """Options every subcommand takes: which bucket, which account, how fast."""
    from lake.inputs import DATA_CONCURRENCY as DEFAULT_CONCURRENCY

    common = argparse.ArgumentParser(add_help=False)
    which = common.add_argument_group("which bucket (--stack-outputs with --zone, or --bucket)")
    which.add_argument("--stack-outputs", type=argument(inputs.stack_outputs, "--stack-outputs"), metavar="FILE",
                       help="a saved `pulumi stack output --json`")
    which.add_argument("--zone", help="the zone's bucket from the stack outputs, e.g. raw")
    which.add_argument("--bucket", type=argument(inputs.bucket_name, "--bucket"), help="a bucket name")
    which.add_argument("--key-arn", type=argument(inputs.key_arn, "--key-arn"),
                       help="the lake key's full ARN for uploads (default: the stack outputs' keyArn, "
                       "else the bucket's default-encryption key)")
    where = common.add_argument_group("which account")
    where.add_argument("--region", type=argument(inputs.region, "--region"),
                       help="AWS region (default: the profile's or AWS_REGION)")
    where.add_argument("--profile", type=argument(inputs.profile, "--profile"),
                       help="AWS named profile (default: the usual credential chain)")
    where.add_argument("--endpoint-url", type=argument(inputs.endpoint_url, "--endpoint-url"),
                       help="an S3-compatible test server, e.g. https://127.0.0.1:5000 (plain http: this machine only)")
    where.add_argument("--ca-bundle", type=argument(inputs.ca_bundle, "--ca-bundle"), metavar="PEM",
                       help="trust this CA certificate too (a test server's own certificate)")
    where.add_argument("--concurrency", type=argument(inputs.concurrency, "--concurrency"),
                       default=DEFAULT_CONCURRENCY,
                       help=f"requests in flight at once, 1 to {inputs.MAX_CONCURRENCY} "
                       f"(default: {DEFAULT_CONCURRENCY})")
    return common


def add_data_parser(commands: Any) -> None:
    data = commands.add_parser("data", help="read, write, share and restore lake objects (TLS, lake key, checksums)",
                               description="Data access that follows the lake's policies: SSE-KMS with the lake "
                               "key on every write, CRC32 checksums S3 verifies, concurrent resumable downloads.")
    verbs = data.add_subparsers(dest="verb", required=True)
    common = [_common()]
    ls = verbs.add_parser("ls", parents=common, help="list objects under a prefix, with sizes (streamed)")
    ls.add_argument("prefix", nargs="?", default="", type=argument(inputs.key_prefix, "PREFIX"))
    cat = verbs.add_parser("cat", parents=common, help="print objects (several keys are read concurrently)")
    cat.add_argument("keys", nargs="+", metavar="KEY", type=argument(inputs.object_key, "KEY"))
    cat.add_argument("--as", dest="form", choices=READ_FORMATS, default="bytes",
                     help="bytes (raw), text (UTF-8), json (pretty), csv (one JSON object per row)")
    head = verbs.add_parser("head", parents=common, help="size, checksum, encryption and user metadata of a key")
    head.add_argument("key", type=argument(inputs.object_key, "KEY"))
    head.add_argument("--version-id", type=argument(inputs.version_id, "--version-id"))
    _put_parser(verbs, common)
    sync = verbs.add_parser("sync", parents=common, help="download a prefix to a directory, skipping identical files")
    sync.add_argument("prefix", type=argument(inputs.key_prefix, "PREFIX"))
    sync.add_argument("directory", type=argument(inputs.directory, "DIRECTORY"))
    presign = verbs.add_parser("presign", parents=common, help="a presigned GET (or --put) URL, at most 7 days")
    presign.add_argument("key", type=argument(inputs.object_key, "KEY"))
    presign.add_argument("--put", action="store_true", help="an upload URL instead of a download URL")
    presign.add_argument("--expires", default="1h", type=argument(inputs.expiry, "--expires"),
                         help="1 s to 7 days: seconds, or 90m, 12h, 7d (default: 1h)")
    versions = verbs.add_parser("versions", parents=common, help="versions and delete markers of a key")
    versions.add_argument("key", type=argument(inputs.object_key, "KEY"))
    restore = verbs.add_parser("restore", parents=common, help="undelete a key, or make --version-id current again")
    restore.add_argument("key", type=argument(inputs.object_key, "KEY"))
    restore.add_argument("--version-id", type=argument(inputs.version_id, "--version-id"))
    rm = verbs.add_parser("rm", parents=common, help="delete a key (a delete marker: `restore` undoes it)")
    rm.add_argument("key", type=argument(inputs.object_key, "KEY"))


def _put_parser(verbs: Any, common: list[argparse.ArgumentParser]) -> None:
    from lake.data.checksums import UPLOAD_ALGORITHMS
    from lake.data.limits import DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE

    put = verbs.add_parser("put", parents=common, help="upload a file or a directory")
    put.add_argument("path", type=argument(inputs.existing_path, "PATH"))
    put.add_argument("key", nargs="?", default="", type=argument(inputs.key_prefix, "KEY"),
                     help="the key, or a prefix ending in / (a directory's files go below it)")
    put.add_argument("--metadata", type=argument(inputs.metadata_pair, "--metadata"), action="append", default=[],
                     metavar="NAME=VALUE",
                     help="user metadata (repeatable)")
    put.add_argument("--checksum", choices=UPLOAD_ALGORITHMS, default="CRC32", help="default: CRC32")
    put.add_argument("--multipart-threshold", type=argument(inputs.multipart_threshold_mib, "--multipart-threshold"),
                     default=DEFAULT_MULTIPART_THRESHOLD // MiB, metavar="MiB",
                     help="files from this size go up in parts; 1 to 5120 "
                     f"(default: {DEFAULT_MULTIPART_THRESHOLD // MiB})")
    put.add_argument("--part-size", type=argument(inputs.part_size_mib, "--part-size"),
                     default=DEFAULT_PART_SIZE // MiB, metavar="MiB",
                     help=f"5 to 5120, S3's limits (default: {DEFAULT_PART_SIZE // MiB})")


def client_of(args: argparse.Namespace):
    from lake.data import Connection, LakeClient, UsageError

    connection = Connection(args.region, args.profile, args.endpoint_url, args.ca_bundle, args.concurrency)
    if args.stack_outputs and args.bucket:
        raise UsageError("choose one: --stack-outputs with --zone, or --bucket")
    if args.stack_outputs:
        if not args.zone:
            raise UsageError("--stack-outputs needs --zone (e.g. --zone raw)")
        return LakeClient.from_stack_outputs(args.stack_outputs.document, args.zone, args.key_arn, **vars(connection))
    if args.zone:
        raise UsageError("--zone needs --stack-outputs (a zone is looked up in the stack outputs)")
    if args.bucket:
        return LakeClient(args.bucket, args.key_arn, connection)
    raise UsageError("choose the bucket: --stack-outputs FILE --zone ZONE, or --bucket NAME")


def _size(size: int | None) -> str:
    return "-" if size is None else f"{size:>12,}"


def _ls(client, args: argparse.Namespace) -> int:
    count = total = 0
    for info in client.list(args.prefix):
        stamp = info.last_modified.strftime("%Y-%m-%d %H:%M:%S") if info.last_modified else "-"
        print(f"{stamp}  {_size(info.size)}  {info.key}")
        count, total = count + 1, total + info.size
    print(f"{counted(count, 'object')}, {total:,} bytes", file=sys.stderr)
    return EXIT_OK


def _cat(client, args: argparse.Namespace) -> int:
    from lake.data import DataError
    from lake.data.objects import decode_csv, decode_json, decode_text

    for key, data in client.read_many(args.keys):
        try:
            if args.form == "bytes":
                sys.stdout.buffer.write(data)
            elif args.form == "text":
                sys.stdout.write(decode_text(data, key))
            elif args.form == "json":
                sys.stdout.write(json.dumps(decode_json(data, key), indent=2) + "\n")
            else:
                sys.stdout.writelines(json.dumps(row) + "\n" for row in decode_csv(data, key))
        except ValueError as error:  # content that is not the text, JSON or CSV asked for: exit 1
            raise DataError(str(error)) from None
    sys.stdout.flush()
    return EXIT_OK


def _head(client, args: argparse.Namespace) -> int:
    info = client.head(args.key, args.version_id)
    entry = {"key": info.key, "size": info.size, "etag": info.etag, "versionId": info.version_id,
             "lastModified": info.last_modified.isoformat() if info.last_modified else None,
             "storageClass": info.storage_class, "checksums": info.checksums, "checksumType": info.checksum_type,
             "encryption": info.encryption, "kmsKeyId": info.kms_key_id, "metadata": info.metadata}
    print(json.dumps(entry, indent=2))
    return EXIT_OK


def _put(client, args: argparse.Namespace) -> int:
    from lake.data import UploadOptions

    options = UploadOptions(args.checksum, dict(args.metadata), args.multipart_threshold * MiB, args.part_size * MiB)
    with Transfer("put", noun="file") as progress:  # on a terminal only (lake/progress.py)
        uploaded = client.upload(args.key, args.path, options, progress=progress)
    for item in uploaded:
        print(f"uploaded {item.path} -> s3://{client.bucket}/{item.key} ({item.size:,} bytes)")
    print(f"{counted(len(uploaded), 'file')}, {sum(u.size for u in uploaded):,} bytes", file=sys.stderr)
    return EXIT_OK


def _sync(client, args: argparse.Namespace) -> int:
    with Transfer("sync", noun="object") as progress:  # on a terminal only (lake/progress.py)
        report = client.download(args.prefix, args.directory, progress=progress)
    for key, error in report.failed:
        print(f"failed: {key}: {error}", file=sys.stderr)
    print(f"downloaded {report.downloaded} ({report.bytes:,} bytes), skipped {report.skipped} identical, "
          f"failed {len(report.failed)}")
    return EXIT_OK if report.ok else EXIT_FAILED


def _presign(client, args: argparse.Namespace) -> int:
    seconds = args.expires  # checked by inputs.expiry: 1 s to 7 days
    signed = client.presign_put(args.key, seconds) if args.put else client.presign_get(args.key, seconds)
    print(signed.url)
    print(f"{signed.method}, expires {signed.expires_at.isoformat(timespec='seconds')}", file=sys.stderr)
    for name, value in signed.headers.items():
        print(f"send header: {name}: {value}", file=sys.stderr)
    return EXIT_OK


def _versions(client, args: argparse.Namespace) -> int:
    from lake.data import NotFoundError
    from lake.data.errors import s3_url

    found = client.versions(args.key)
    if not found:  # as `restore` and `cat` of a key that never existed: exit 1, not an empty success
        raise NotFoundError(f"{s3_url(client.bucket, args.key)} has no versions",
                            "check the key with: lake data ls PREFIX")
    for version in found:
        kind = "delete marker" if version.delete_marker else _size(version.size).strip() + " bytes"
        stamp = version.last_modified.isoformat(timespec="seconds") if version.last_modified else "-"
        print(f"{version.version_id}  {stamp}  {'latest' if version.is_latest else '      '}  {kind}")
    return EXIT_OK


def _restore(client, args: argparse.Namespace) -> int:
    print(client.restore(args.key, args.version_id))
    return EXIT_OK


def _rm(client, args: argparse.Namespace) -> int:
    client.delete(args.key)
    print(f"deleted s3://{client.bucket}/{args.key} (a delete marker; `lake data restore {args.key}` undoes it)")
    return EXIT_OK


VERBS = {"ls": _ls, "cat": _cat, "head": _head, "put": _put, "sync": _sync, "presign": _presign,
         "versions": _versions, "restore": _restore, "rm": _rm}


def run_data_command(args: argparse.Namespace) -> int:
    """The verb's result; errors raise and lake/cli.py reports them: InputError and UsageError exit 2,
    any other DataError (the operation failed) exits 1 with its `error:` and `hint:` lines."""
    if args.profile is None:
        inputs.environment_profile()
    return VERBS[args.verb](client_of(args), args)

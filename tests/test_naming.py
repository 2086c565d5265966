"""Derived bucket names and the S3 naming rules."""

import pytest

from components.naming import bucket_name_problems, logs_bucket_name, zone_bucket_name


def test_derived_names():
    assert zone_bucket_name("mlteam", "dev", "raw") == "mlteam-dev-raw"
    assert logs_bucket_name("mlteam", "prod") == "mlteam-prod-logs"


def test_valid_name_has_no_problem():
    assert bucket_name_problems("mlteam-dev-raw") == []


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("ab", "bucket name 'ab' is 2 characters long; S3 allows 3 to 63"),
        ("a" * 64, f"bucket name '{'a' * 64}' is 64 characters long; S3 allows 3 to 63"),
        (
            "ML-dev-raw",
            "bucket name 'ML-dev-raw' may only contain lowercase letters, digits and hyphens, "
            "and must begin and end with a letter or digit",
        ),
        ("ml.dev.raw", "bucket name 'ml.dev.raw' contains a dot, which breaks TLS for virtual-hosted requests"),
        ("xn--lake-dev", "bucket name 'xn--lake-dev' starts with the reserved prefix 'xn--'"),
        ("lake-dev-s3alias", "bucket name 'lake-dev-s3alias' ends with the reserved suffix '-s3alias'"),
    ],
)
def test_invalid_names(name, problem):
    assert problem in bucket_name_problems(name)


def test_ip_address_refused():
    assert "bucket name '192.168.5.4' is formatted as an IP address" in bucket_name_problems("192.168.5.4")

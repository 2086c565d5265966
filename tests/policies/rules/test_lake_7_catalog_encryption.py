from policies.model import UNKNOWN
from policies.rules.lake_7_catalog_encryption import RULE
from tests.policies.builders import catalog_encryption, lake, statuses

NAME = "data-catalog"


def judge(**changes):
    return statuses(RULE.check(lake(catalog_encryption=catalog_encryption(**changes))))


def test_pass():
    assert statuses(RULE.check(lake())) == {
        NAME: ("pass", "the catalog is encrypted with SSE-KMS under a named key, and so are connection passwords"),
    }


def test_fail_disabled_and_passwords_in_clear():
    assert judge(mode="DISABLED", password_encrypted=False) == {
        NAME: ("fail", "catalog encryption is DISABLED, must be SSE-KMS; connection passwords are not encrypted"),
    }


def test_fail_no_key_and_no_mode():
    assert judge(key_arn=None) == {NAME: ("fail", "catalog encryption names no KMS key")}
    assert judge(mode=None, password_encrypted=None) == {
        NAME: ("fail", "catalog encryption is not configured, must be SSE-KMS; connection passwords are not encrypted"),
    }


def test_unknown():
    assert judge(mode=UNKNOWN) == {NAME: ("unknown", "the catalog encryption mode cannot be known before deployment")}
    assert judge(password_encrypted=UNKNOWN) == {
        NAME: ("unknown", "whether connection passwords are encrypted cannot be known before deployment"),
    }


def test_not_applicable_when_the_stack_does_not_manage_it():
    assert statuses(RULE.check(lake(catalog_encryption=None))) == {
        "lake": ("not_applicable", "the stack does not manage the Data Catalog's encryption settings"),
    }

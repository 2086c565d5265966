"""Consumers in the access matrix (one row each, on the buckets they have grants on) and in
`lake access --principal <consumer name>`."""

from dataclasses import replace

import pytest

from lake.cli import main
from lake.report.access import label, render_access_summary, render_access_text
from policies.access.actors import representative_actors
from policies.access.matrix import access_matrix, crawler_reach
from policies.access.question import QuestionError, ask, resolve_actor
from policies.model import UNKNOWN
from tests.access.consumer_models import TRAINING_ROLE, analysts, arn, consumer, consumer_lake, partner, training
from tests.consumer_stack import write_config
from tests.policies.builders import REGION
from tests.support import REPO

CONSUMERS = (training(), analysts(), partner())


@pytest.fixture(scope="module")
def model():
    return consumer_lake(*CONSUMERS)


def test_one_row_per_consumer_with_its_policies_and_places(model):
    actors = {a.label: a for a in representative_actors(model, REGION)}
    assert [name for name in actors if name.startswith("consumer")] == [
        "consumer training", "consumer analysts", "consumer partner"]
    assert [(a.assumption, a.prefixes) for name, a in actors.items() if name.startswith("consumer")] == [
        ("its policy as declared (components/documents/consumer_access.py)",
         (("ml-dev-curated", ""), ("ml-dev-processed", "features/"))),
        ("its policy as declared (components/documents/consumer_access.py)",
         (("ml-dev-curated", ""), ("ml-dev-query-results", "results/"))),
        ("the identity policy the lake exports for it, attached in its account",
         (("ml-dev-curated", "features/"), ("ml-dev-processed", "shared/"))),
    ]


def test_a_consumer_whose_policies_are_unknown_has_no_row():
    unknown = replace(training(), policies=(UNKNOWN,))
    labels = [a.label for a in representative_actors(consumer_lake(unknown), REGION)]
    assert "consumer training" not in labels and "data reader" in labels


def test_rows_on_the_buckets_of_their_grants_only(model):
    rows = {m.bucket: [a.label for a in m.actors if a.label.startswith("consumer")] for m in access_matrix(model)}
    assert rows == {
        "ml-dev-curated": ["consumer training", "consumer analysts", "consumer partner"],
        "ml-dev-processed": ["consumer training", "consumer partner"],
        "ml-dev-query-results": ["consumer analysts"],
        "ml-dev-raw": [],
    }


def test_cells_of_a_consumer(model):
    curated = next(m for m in access_matrix(model) if m.bucket == "ml-dev-curated")
    cells = {(c.actor, c.action): label(c) for c in curated.cells if c.scenario == "via endpoint"}
    assert [cells[("consumer training", a)] for a in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")] == [
        "allow", "no grant", "no grant"]
    assert cells[("consumer analysts", "s3:GetObject")] == "no grant"  # only through Athena
    via_athena = next(c for c in curated.cells if (c.actor, c.action, c.scenario) == (
        "consumer analysts", "s3:GetObject", "via Athena"))
    assert label(via_athena) == "allow"


def test_the_matrix_text_names_consumer_rows_and_their_assumption(model):
    text = render_access_text(access_matrix(model), crawler_reach(model))
    assert "  consumer training s3:GetObject" in text
    assert "    consumer partner: the identity policy the lake exports for it, attached in its account" in text
    # Consumers are not crawlers: they have no line in the crawler reach.
    assert crawler_reach(model) == {"crawler ml-dev-images": ["ml-dev-raw"],
                                    "crawler ml-dev-annotations": ["ml-dev-raw"]}


@pytest.mark.parametrize("principal", ["training", "consumer:training"])
def test_lake_access_by_consumer_name(model, principal):
    actor = resolve_actor(model, principal, ())
    assert actor.label == "consumer training"
    assert ask(model, actor, "s3:GetObject", arn("ml-dev-curated/x.parquet"), {"aws:SourceVpce": "x"}).allowed
    assert ask(model, actor, "s3:DeleteObject", arn("ml-dev-curated/x.parquet"), {}).decision == "implicit_deny"


@pytest.mark.parametrize(("principal", "message"), [
    ("nobody", "--principal nobody: neither an IAM ARN nor one of administrator, deployer, reader, external, "
               "anonymous, nor a consumer of this stack (its consumers: training, analysts, partner)"),
    ("trainng", "--principal trainng: neither an IAM ARN nor one of administrator, deployer, reader, external, "
                "anonymous, nor a consumer of this stack (its consumers: training, analysts, partner) "
                "(did you mean training?)"),
    ("consumer:nobody", "--principal consumer:nobody: the stack declares no consumer nobody (its consumers: "
                        "training, analysts, partner)"),
])
def test_an_unknown_consumer_lists_the_stack_s_consumers(model, principal, message):
    with pytest.raises(QuestionError) as raised:
        resolve_actor(model, principal, ())
    assert (str(raised.value), raised.value.hint) == (message, "see datalake:consumers in Pulumi.<stack>.yaml")


def test_a_stack_without_consumers_says_so():
    with pytest.raises(QuestionError) as raised:
        resolve_actor(consumer_lake(), "nobody", ())
    assert str(raised.value).endswith("nor a consumer of this stack (it declares none)")


def test_a_consumer_whose_policies_are_unknown_cannot_be_asked():
    with pytest.raises(QuestionError) as raised:
        resolve_actor(consumer_lake(replace(training(), policies=(UNKNOWN,))), "training", ())
    assert str(raised.value) == ("--principal training: the principal, policies or grants of consumer training "
                                 "cannot be known before deployment")


def access(capsys, config, principal, action, resource):
    code = main(["access", "--project-dir", str(REPO), "--stack", "consumers", "--config-file", str(config),
                 "--principal", principal, "--action", action, "--resource", resource])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_answers_for_a_consumer_of_the_stack(capsys, tmp_path):
    config = write_config(tmp_path)
    # batch need not use the endpoint (the perimeter exempts it); its grant is raw/images/.
    images = "arn:aws:s3:::mlteam-consumers-raw/images/a.jpg"
    code, out, _ = access(capsys, config, "batch", "s3:GetObject", images)
    assert (code, out.splitlines()[:2]) == (0, [
        f"ALLOWED: consumer batch -> s3:GetObject on {images}",
        "  identity: its policy as declared (components/documents/consumer_access.py)",
    ])
    code, out, err = access(capsys, config, "nobody", "s3:GetObject", "arn:aws:s3:::mlteam-consumers-curated/a.csv")
    assert (code, out, err.splitlines()) == (2, "", [
        "error: --principal nobody: neither an IAM ARN nor one of administrator, deployer, reader, external, "
        "anonymous, nor a consumer of this stack (its consumers: training, batch, analysts, notebook, auditors, "
        "partner)",
        "hint: see datalake:consumers in Pulumi.<stack>.yaml",
    ])


def _curated_summary(model) -> list[str]:
    lines = render_access_summary(access_matrix(model), {}).splitlines()
    return lines[lines.index("  ml-dev-curated") + 1:lines.index("  ml-dev-processed")]


def test_without_an_endpoint_the_summary_still_shows_what_athena_gives():
    """A query consumer reads its zone only through Athena: the via-Athena context is tried whatever
    the endpoint, and the summary names what it gains there."""
    model = consumer_lake(training(), analysts(), endpoints=())
    curated = next(m for m in access_matrix(model) if m.bucket == "ml-dev-curated")
    assert [s.label for s in curated.scenarios][:3] == ["TLS 1.3", "via Athena", "no TLS"]
    assert _curated_summary(model)[-2:] == [
        "    consumer analysts, another account, anonymous: none",
        "    via Athena: consumer analysts gains GetObject, ListBucket",
    ]


def test_one_context_can_take_access_away_and_give_it():
    """Through the endpoint, a training role bound to it reads curated and the analysts do not; via
    Athena it is the other way round. A loss is said first, then a gain."""
    bound = consumer("training", training().grants, TRAINING_ROLE, require_endpoint=True)
    assert _curated_summary(consumer_lake(bound, analysts()))[-1] == (
        "    via Athena: consumer training loses GetObject, ListBucket; consumer analysts gains GetObject, ListBucket")

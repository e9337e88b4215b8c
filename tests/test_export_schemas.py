"""The JSON Schemas shipped with the package, and the envelope every JSON output starts with."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from tests.conftest import REPO
from typer.testing import CliRunner

from redline.cli import app
from redline.schemas import KINDS, envelope, load_schema, validate
from redline.store import Ledger
from test_link_factories import Builder


@pytest.mark.parametrize("kind", KINDS)
def test_schema_files_are_valid_and_versioned(kind: str) -> None:
    schema = load_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    head = envelope(kind)
    assert head == {
        "schema": f"https://redline.invalid/schemas/{kind}-v1.json",
        "schema_version": 1,
        "kind": kind,
    }
    assert schema["$id"] == head["schema"]


def test_validation_rejects_wrong_documents() -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate({"schema": "https://example.org/x.json"})
    with pytest.raises(jsonschema.ValidationError):
        validate({**envelope("episodes"), "items": [{"id": "not a number"}]})
    with pytest.raises(ValueError, match="unknown JSON schema kind"):
        envelope("nonsense")


def test_threats_and_events_listings_follow_their_schemas(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d = b.doc("2024-05-01")
    b.threat(d, "RUS", "f16_delivery", stated="2024-04", consequence="military_force")
    b.threat(d, None, None)
    b.crossing(d, "USA", "f16_delivery", None)
    b.response(d, "RUS", "f16_delivery", "diplomatic", "2024-05-01")
    runner = CliRunner()
    for command, kind in (("threats", "threats"), ("events", "events")):
        result = runner.invoke(app, [command, "--db", sqlite_ledger.url, "--format", "json"])
        assert result.exit_code == 0, result.output
        doc = json.loads(result.output)
        validate(doc)
        assert doc["kind"] == kind and len(doc["items"]) == 2


def test_a_threat_the_learned_extractor_calls_implicit_follows_the_threats_schema(
    sqlite_ledger: Ledger,
) -> None:
    """The learned extractor stores ``explicitness='implicit'`` for a threat read from an
    answer or an implied condition; `redline threats -f json` then failed its own schema."""
    import sqlalchemy as sa

    from redline.store.schema import threats

    b = Builder(sqlite_ledger)
    t = b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    with sqlite_ledger.begin() as conn:
        conn.execute(sa.update(threats).where(threats.c.id == t).values(explicitness="implicit"))
    result = CliRunner().invoke(app, ["threats", "--db", sqlite_ledger.url, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["items"][0]["explicitness"] == "implicit"
    validate(doc)


def test_every_basis_of_a_status_is_one_the_episode_schema_allows(sqlite_ledger: Ledger) -> None:
    """`redline episode -f json` names the kind of evidence a status rests on (``basis``): an
    undetermined line ("no_response_found") failed the schema the output names."""
    from datetime import date

    from redline.link import link
    from redline.link.assess import BASE_CONFIDENCE

    allowed = load_schema("episode")["properties"]["episode"]["properties"]["basis"]["enum"]
    assert set(BASE_CONFIDENCE) <= set(allowed)
    b = Builder(sqlite_ledger)
    d = b.doc("2024-06-01")
    b.threat(d, "RUS", "f16_delivery", stated="2024-05-01", consequence="military_force")
    b.crossing(d, "USA", "f16_delivery", "2024-05-20")
    link(sqlite_ledger, as_of=date(2024, 6, 1))
    result = CliRunner().invoke(
        app,
        ["episode", "RUS:f16_delivery", "--as-of", "2024-06-01"]
        + ["--db", sqlite_ledger.url, "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["episode"]["basis"] == "no_response_found"
    validate(doc)


def _undeclared(schema: dict[str, object], node: object, instance: object, where: str) -> list[str]:
    """The fields of ``instance`` (and of every object inside it) that its schema names nowhere."""
    while isinstance(node, dict) and "$ref" in node:
        target: object = schema
        for part in str(node["$ref"]).removeprefix("#/").split("/"):
            target = target[part]  # type: ignore[index]
        node = target
    if not isinstance(node, dict):
        return []
    found: list[str] = []
    for branch in node.get("anyOf", []):
        found += _undeclared(schema, branch, instance, where)
    if isinstance(instance, dict) and "properties" in node:
        for key, value in instance.items():
            if key not in node["properties"]:
                found.append(f"{where}.{key}")
            else:
                found += _undeclared(schema, node["properties"][key], value, f"{where}.{key}")
    if isinstance(instance, list) and "items" in node:
        for value in instance:
            found += _undeclared(schema, node["items"], value, f"{where}[]")
    return found


def test_every_field_a_json_output_gives_is_one_its_schema_declares(
    sqlite_ledger: Ledger,
) -> None:
    """The schemas are the documented contract of the JSON listings and of the exported rows
    (``row_schemas``), but an event's ``line_from``, an episode's ``verdict`` and the threats'
    and events' own fields in an episode's story (addressee, trigger text, action...) were
    given and declared nowhere."""
    from datetime import date

    from redline.link import link
    from redline.review import review

    b = Builder(sqlite_ledger)
    d = b.doc("2024-06-01")
    b.threat(d, "RUS", "f16_delivery", stated="2024-05-01", consequence="military_force")
    b.crossing(d, "USA", "f16_delivery", "2024-05-20")
    b.response(d, "RUS", "f16_delivery", "military_force", "2024-05-25")
    b.claim(d, "RUS", "f16_delivery", "response")
    link(sqlite_ledger, as_of=date(2024, 6, 1))
    review(sqlite_ledger, "episode", "RUS:f16_delivery", "withdraw", reviewer="ana")
    found: list[str] = []
    # documents, show and reviews printed a bare list or object, with no envelope naming a
    # schema (validate refused them as "not a Redline JSON document")
    for command in (
        ["threats"],
        ["events"],
        ["claims"],
        ["episodes"],
        ["episode", "RUS:f16_delivery"],
        ["credibility"],
        ["credibility", "--timeline"],
        ["documents"],
        ["show", str(d)],
        ["reviews"],
        # triage's JSON had a kind and a date but named no schema
        ["triage"],
        ["triage", "--leads", "2"],
    ):
        result = CliRunner().invoke(app, [*command, "--db", sqlite_ledger.url, "--format", "json"])
        assert result.exit_code == 0, result.output
        doc = json.loads(result.output)
        validate(doc)
        schema = load_schema(doc["kind"])
        found += _undeclared(schema, schema, doc, doc["kind"])
    assert found == [], sorted(set(found))


def test_eval_on_a_seeds_format_gold_prints_its_envelope(tmp_path: Path) -> None:
    """`redline eval GOLD CORPUS -f json` printed its figures with no versioned envelope, as
    `audit recall`, `add` and `ingest` did (and `ingest` named a schema shipped nowhere)."""
    result = CliRunner().invoke(
        app,
        [
            "eval",
            str(REPO / "examples" / "gold" / "sample.json"),
            str(REPO / "examples" / "corpus"),
            "--db",
            str(tmp_path / "eval.db"),
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    validate(doc)
    assert doc["kind"] == "eval" and doc["threats"] and doc["gold"].endswith("sample.json")

"""No ``dict[str, Any]`` crosses a layer boundary (issue 9): the core's public functions and
methods take and return typed values (frozen dataclasses, the vocabulary's enums), and a plain
dict is made once, at the edge, where JSON, CSV or a table is written (``as_dict``)."""

from __future__ import annotations

import ast
import re
from dataclasses import fields
from pathlib import Path

import redline
from redline.documents import LISTED_FIELDS, SHOWN_FIELDS, Document, ListedDocument
from redline.extract.query import ListedClaim, ListedEvent, ListedThreat
from redline.store.listing import with_provenance
from redline.store.schema import events, outcome_claims, threats

SRC = Path(redline.__file__).parent
# the edges and what is no layer of the pipeline: the CLI, the JSON schemas, the rendering of
# listings (``output``), the gold, the benchmarks, the model's training, the migrations
NOT_CORE = ("cli", "schemas", "gold", "bench", "model", "store/migrations", "output.py")
# a mapping from names to anything: a record whose fields no type names
_UNTYPED = re.compile(r"\b(?:dict|Dict|Mapping)\[str, (?:Any|object)\]|^(?:dict|Dict)$")

# Where a plain dict is the point. A method of this name is the one conversion at the edge.
EDGE_METHODS = frozenset({"as_dict", "to_dict"})
# Functions that read or write an untyped format on purpose (module path: qualified name).
EDGE = {
    # a run's params and stats: a JSON column, whatever the stage records
    "store/db.py": {"Ledger.start_run", "Ledger.finish_run"},
    # a record of an input file (JSON, CSV, GDELT), read field by field into a typed draft
    "ingest/fields.py": {"pick", "raw_values", "first_given"},
    "ingest/draft.py": {"field_date", "metadata_fields"},
    "ingest/readers/records.py": {"record_draft"},
    "ingest/gdelt.py": {"parse_row"},
    # a row of the documents table as it is inserted, and the table's limits checked on it
    "ingest/prepare.py": {"Prepared.row"},
    "ingest/persist.py": {"insert_document", "insert_documents"},
    "store/limits.py": {"misfit"},
    # the run's stats, stored in the JSON column
    "ingest/report.py": {"IngestReport.stats"},
    # the YAML lexicon, spaCy's own pattern format, the gold's JSON file
    "knowledge.py": {"lexicon"},
    "extract/fast_ruler.py": {"FastAttributeRuler.load"},
    "evaluate.py": {"load_gold", "annotated_files", "ItemScore.summary", "EpisodeScore.summary"},
    # a stored audit-of-misses run's params (its JSON column)
    "misses.py": {"kind_of"},
    # the file a sample's draw is writing, kept in its run's params (the JSON column)
    "audit.py": {"writing_to"},
}
# Boundaries still crossed by a dict: each to become typed, and to leave this list then.
PENDING: dict[str, set[str]] = {}


def _core_modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if not any(rel == n or rel.startswith(f"{n}/") for n in NOT_CORE):
            out.append((rel, path))
    return out


def _untyped(node: ast.expr | None) -> bool:
    return node is not None and bool(_UNTYPED.search(ast.unparse(node)))


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _public_functions(tree: ast.AST) -> list[tuple[str, Function]]:
    """The module's public functions and its public classes' public methods, by name."""
    found: list[tuple[str, Function]] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            found += [
                (f"{node.name}.{f.name}", f)
                for f in node.body
                if isinstance(f, Function) and (not f.name.startswith("_") or f.name == "__init__")
            ]
        elif isinstance(node, Function) and not node.name.startswith("_"):
            found.append((node.name, node))
    return found


def _crosses_untyped(fn: Function) -> bool:
    a = fn.args
    params = [*a.posonlyargs, *a.args, *a.kwonlyargs]
    return _untyped(fn.returns) or any(_untyped(p.annotation) for p in params)


def untyped_boundaries() -> dict[str, set[str]]:
    """Every public function or method of the core that takes or returns a ``dict[str, Any]``
    (or a sequence of them), by module."""
    out: dict[str, set[str]] = {}
    for rel, path in _core_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, fn in _public_functions(tree):
            if _crosses_untyped(fn) and name.rpartition(".")[2] not in EDGE_METHODS:
                out.setdefault(rel, set()).add(name)
    return out


def test_no_untyped_dict_crosses_a_layer_boundary() -> None:
    found = untyped_boundaries()
    allowed = {m: EDGE.get(m, set()) | PENDING.get(m, set()) for m in {*EDGE, *PENDING}}
    crossing = {m: sorted(n - allowed.get(m, set())) for m, n in found.items()}
    assert {m: n for m, n in crossing.items() if n} == {}, (
        "a public function takes or returns dict[str, Any]: return a frozen dataclass and "
        "make the dict at the edge (as_dict), or name the function in EDGE with why"
    )


def test_the_lists_name_only_what_is_there() -> None:
    """A boundary made typed leaves PENDING; a name in either list exists and is untyped."""
    found = untyped_boundaries()
    for listed in (EDGE, PENDING):
        stale = {m: sorted(n - found.get(m, set())) for m, n in listed.items()}
        assert {m: n for m, n in stale.items() if n} == {}


def test_the_guard_sees_an_untyped_boundary() -> None:
    tree = ast.parse(
        "def rows(x: int) -> list[dict[str, Any]]: ...\n"
        "def take(row: Mapping[str, Any]) -> int: ...\n"
        "def typed(x: int) -> dict[str, int]: ...\n"
        "def _private() -> dict[str, Any]: ...\n"
        "class A:\n    def as_dict(self) -> dict[str, Any]: ...\n"
    )
    seen = {n for n, f in _public_functions(tree) if _crosses_untyped(f)}
    assert seen == {"rows", "take", "A.as_dict"}


def test_a_document_has_the_fields_it_prints() -> None:
    assert [f.name for f in fields(ListedDocument)] == LISTED_FIELDS
    assert {f.name for f in fields(Document)} == set(SHOWN_FIELDS)


def test_a_listed_item_has_the_fields_its_listing_prints() -> None:
    """A threat, event or claim of a listing holds each column the query reads, and prints them
    in the query's order (the JSON Schemas' items)."""
    for kind, table in (
        (ListedThreat, threats),
        (ListedEvent, events),
        (ListedClaim, outcome_claims),
    ):
        columns = [c.name for c in with_provenance(table).selected_columns]
        assert list(kind.FIELDS) == columns
        assert {f.name for f in fields(kind)} == set(columns)


def test_a_story_item_has_its_kinds_fields() -> None:
    """Each kind's fields in a story are columns of the table it is stored in."""
    from redline.link.episodes import _FIELDS

    for table, of_kind in _FIELDS.values():
        assert {f.name for f in fields(of_kind)} <= set(table.c.keys())

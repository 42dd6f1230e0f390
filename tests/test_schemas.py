"""The JSON Schemas editors use (schemas/case.schema.json, schemas/issue.schema.json): current,
described, and true to what the checker accepts.

Editors' YAML language servers read YAML 1.2 (core schema): `2026-12-01` and `NO` are text, `true` is a
boolean, `0424` is a number. The schemas are tested against the YAML read that way, as an editor would.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import get_args

import jsonschema
import pytest
import yaml
from pydantic import BaseModel

from casepub import check_case
from casepub.__main__ import main
from casepub.issue.manifest import Manifest
from casepub.model import FrontMatter
from conftest import FIXTURES, ROOT, edit

SCHEMAS = ROOT / "schemas"
CASES = sorted(ROOT.glob("cases/*/case.md")) + sorted(FIXTURES.glob("valid/*/case.md"))
MANIFESTS = sorted(ROOT.glob("issues/*.yaml"))
SCHEMA_CODES = {"CP010", "CP011", "CP012", "CP013", "CP014"}  # the model's: unknown key, type, choice, missing, value


class CoreSchemaLoader(yaml.SafeLoader):
    """YAML 1.2's core schema: PyYAML's safe loader without YAML 1.1's dates, yes/no booleans and octals."""


CoreSchemaLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("bool", r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", list("-+0123456789")),
    ("float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
     list("-+.0123456789")),
):
    CoreSchemaLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(rf"^(?:{_pattern})$"), _first)


def _core_int(loader: CoreSchemaLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    return int(text, 0) if text.startswith(("0o", "0x")) else int(text, 10)  # 0424 is 424, not octal


CoreSchemaLoader.add_constructor("tag:yaml.org,2002:int", _core_int)


def read_yaml(text: str):
    return yaml.load(text, Loader=CoreSchemaLoader)


def front_matter(case_md: Path) -> str:
    lines = case_md.read_text(encoding="utf-8").split("\n")
    assert lines[0].rstrip() == "---", f"{case_md} has no front matter"
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    return "\n".join(lines[1:end]) + "\n"


def schema(kind: str) -> dict:
    return json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))


def validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(kind), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def schema_errors(kind: str, data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator(kind).iter_errors(data)]


def properties(node, where: str = "#"):
    """(where, name, schema) of every property at every level: top, $defs, and inside anyOf, items ..."""
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            yield where, name, prop
        for key, value in node.items():
            yield from properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from properties(value, f"{where}/{index}")


def model_keys(model) -> set[str]:
    """The keys a model and the models inside it accept, as authors write them."""
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        keys.add(field.alias or name)
        for inner in _models_in(field.annotation):
            keys |= model_keys(inner)
    return keys


def _models_in(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in get_args(annotation):
        yield from _models_in(argument)


# (a) the committed files are what `casepub schema` prints now

@pytest.mark.parametrize("kind", ["case", "issue"])
def test_committed_schema_is_what_the_cli_prints(kind, capsys):
    assert main(["schema", kind]) == 0
    printed = capsys.readouterr().out
    committed = (SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == printed, f"stale: run casepub schema {kind} > schemas/{kind}.schema.json"
    jsonschema.Draft202012Validator.check_schema(json.loads(committed))


# (b) every property is described: editors show the description on completion and hover

@pytest.mark.parametrize("kind, model", [("case", FrontMatter), ("issue", Manifest)])
def test_every_property_has_a_description(kind, model):
    found = list(properties(schema(kind)))
    missing = [f"{where}/properties/{name}" for where, name, prop in found
               if not (isinstance(prop.get("description"), str) and prop["description"].strip())]
    assert not missing, "properties without a description:\n" + "\n".join(missing)
    assert {name for _, name, _ in found} >= model_keys(model), "the walk missed properties of the model"


# (c) what casepub accepts, the schemas accept

def test_there_are_cases_and_manifests_to_validate():
    assert any(p.is_relative_to(ROOT / "cases") for p in CASES) and any(p.is_relative_to(FIXTURES) for p in CASES)
    assert MANIFESTS


@pytest.mark.parametrize("case_md", CASES, ids=lambda p: str(p.parent.relative_to(ROOT)))
def test_case_front_matter_validates(case_md):
    data = read_yaml(front_matter(case_md))
    assert isinstance(data, dict)
    assert schema_errors("case", data) == []


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: p.name)
def test_issue_manifest_validates(manifest):
    data = read_yaml(manifest.read_text(encoding="utf-8"))
    assert schema_errors("issue", data) == []


def test_the_loader_reads_yaml_as_editors_do():
    data = read_yaml("a: 2026-12-01\nb: NO\nc: true\nd: 0424\ne: yes\nf: 1.5\ng:\nh: 0o17\n")
    assert data == {"a": "2026-12-01", "b": "NO", "c": True, "d": 424, "e": "yes", "f": 1.5, "g": None, "h": 15}


# Forms the checker accepts without a schema error (several are short forms its validators expand);
# the schema must accept each of them too.
ACCEPTED = {
    "fda-status as a block mapping": ("fda-status: not-applicable",
                                      "fda-status:\n  status: investigational\n  products:\n    - Device X"),
    "fda-status as a mapping": ("fda-status: not-applicable",
                                "fda-status: {status: off-label, products: [Kyphon bone cement]}"),
    "fda-status products as one text": ("fda-status: not-applicable",
                                        "fda-status: {status: approved, products: PMMA bone cement}"),
    "one degree alone": ("    degrees: [MD]\n    affiliations: [spine]\n    disclosure: Nothing to disclose.\n"
                         "  - name: Kun Duan", "    degrees: MD\n    affiliations: [spine]\n"
                         "    disclosure: Nothing to disclose.\n  - name: Kun Duan"),
    "one affiliation id alone": ("affiliations: [surgery]", "affiliations: surgery"),
    "an affiliation name as one text": ("name: [Hong Hui Hospital, Xi'an Jiaotong University Health Science Center]",
                                        "name: Hong Hui Hospital"),
    "an unquoted postal code": ('postal-code: "710054"', "postal-code: 0424"),
    "an empty optional key": ("    country: China\n  - id: surgery", "    country:\n  - id: surgery"),
    "a date": ("fda-status: not-applicable", "fda-status: not-applicable\ndate: 2026-12-01\nlang: en"),
    "keywords as one text": ("fda-status: not-applicable", "fda-status: not-applicable\nkeywords: osteonecrosis"),
}


@pytest.mark.parametrize("old, new", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_what_the_checker_accepts_the_schema_accepts(reference_copy, old, new):
    edit(reference_copy, old, new)
    checked = check_case(reference_copy)
    assert not [d for d in checked.diagnostics if d.code in SCHEMA_CODES], [d.message for d in checked.diagnostics]
    assert schema_errors("case", read_yaml(front_matter(reference_copy / "case.md"))) == []


# (d) what the checker refuses as a schema error, the schema refuses

REFUSED = {  # the edit, and where the schema reports it
    "a misspelt top-level key": ("conflict-statement:", "conflict-statment:", ""),
    "a misspelt author key": ("    disclosure: Nothing to disclose.\n  - name: Kun Duan",
                              "    disclosure: Nothing to disclose.\n    equal-contributer: true\n  - name: Kun Duan",
                              "authors/0"),
    "a misspelt panel key": ("{label: A, image:", "{label: A, img:", "figures/0/panels/0"),
    "an fda-status that is not one": ("fda-status: not-applicable", "fda-status: not-approved", "fda-status"),
    "an fda-status mapping with a wrong status": ("fda-status: not-applicable",
                                                  "fda-status: {status: unapproved, products: [PMMA]}", "fda-status"),
    "an fda-status mapping without a status": ("fda-status: not-applicable", "fda-status: {products: [PMMA]}",
                                               "fda-status"),
    "a list where text belongs": ("title: Severe", "title: [Severe]\nrunning-title: Severe", "title"),
    "a list where a boolean belongs": ("    equal-contributor: true", "    equal-contributor: [true]",
                                       "authors/4/equal-contributor"),
    "a date that does not exist": ("fda-status: not-applicable", "fda-status: not-applicable\ndate: 2026-02-30", "date"),
    "a missing journal": ("journal: the-spine-journal\n", "", ""),
}


@pytest.mark.parametrize("old, new, where", REFUSED.values(), ids=REFUSED.keys())
def test_what_the_checker_refuses_the_schema_refuses(reference_copy, old, new, where):
    edit(reference_copy, old, new)
    checked = check_case(reference_copy)
    assert [d for d in checked.diagnostics if d.code in SCHEMA_CODES], "the checker accepts it"
    errors = list(validator("case").iter_errors(read_yaml(front_matter(reference_copy / "case.md"))))
    assert errors, "the schema accepts it"
    assert all(where.startswith(_path(e)) for e in errors), [e.message for e in errors]  # nothing else is wrong
    assert where in {_path(e) for e in _with_context(errors)}


def _path(error) -> str:
    return "/".join(map(str, error.absolute_path))


def _with_context(errors):
    """The errors and, for anyOf, the errors of each branch."""
    for error in errors:
        yield error
        yield from _with_context(error.context or ())


def test_a_wrong_manifest_fails_the_schema():
    data = read_yaml((ROOT / "issues" / "2026-12.yaml").read_text(encoding="utf-8"))
    assert schema_errors("issue", data) == []
    assert schema_errors("issue", {**data, "frist-page": 3})
    assert schema_errors("issue", {**data, "articles": []})
    assert schema_errors("issue", {**data, "articles": [{"case": "x", "doi": "not a doi"}]})

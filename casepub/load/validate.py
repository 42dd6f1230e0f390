"""Validate located YAML data against a pydantic model; errors become located diagnostics.

Every schema problem is reported in one pass (pydantic collects them all).
The offending values are then pruned and the data validated again, so that the
checks can still run on the rest of the case; whatever a check later says about
a pruned path is dropped, since the schema error already covers it.
"""
from __future__ import annotations

import collections.abc
import copy
import dataclasses
import difflib
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from casepub.diagnostics import Diagnostic, KeyPath, Location, format_key_path
from casepub.load import yamltree
from casepub.load.yamltree import Document
from casepub.words import counted

_TYPE_WORDS = {
    "string_type": ("text", "write it as text; quote it if it starts with a special character"),
    "tuple_type": ("a list", "write a list: [A, B], or one '- item' per line"),
    "list_type": ("a list", "write a list: [A, B], or one '- item' per line"),
    "dict_type": ("a mapping", "write `key: value` lines indented under it"),
    "model_type": ("a mapping", "write `key: value` lines indented under it"),
    "model_attributes_type": ("a mapping", "write `key: value` lines indented under it"),
    "bool_parsing": ("true or false", "write true or false"),
    "bool_type": ("true or false", "write true or false"),
    "int_parsing": ("a whole number", "write digits only, e.g. 12"),
    "int_type": ("a whole number", "write digits only, e.g. 12"),
    "date_type": ("a date", "write the date as YYYY-MM-DD"),
}
_MAX_ROUNDS = 4


M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Validated(Generic[M]):
    model: M | None
    diagnostics: list[Diagnostic]
    pruned: frozenset[KeyPath]


def validate(model: type[M], document: Document, root: str = "the front matter") -> Validated[M]:
    """Validate; `root` names the document in messages ("missing required key 'x' in the manifest")."""
    try:
        return Validated(model.model_validate(document.data), [], frozenset())
    except ValidationError as error:
        errors = error.errors(include_url=False)
    meant = _meant(model, errors)
    diagnostics = [_with_invisible(_diagnostic(model, document, e, root), e) for e in errors
                   if not (e["type"] == "missing" and tuple(e["loc"]) in meant)]  # the typo says it already
    data, pruned = copy.deepcopy(document.data), meant
    for _ in range(_MAX_ROUNDS):
        if not all(_prune(data, e, pruned) for e in errors):
            break
        try:
            return Validated(model.model_validate(data), diagnostics, frozenset(pruned))
        except ValidationError as error:
            errors = error.errors(include_url=False)
    return Validated(None, diagnostics, frozenset(pruned))


def _meant(model: type[BaseModel], errors: list[ErrorDetails]) -> set[KeyPath]:
    """The keys that misspelt keys were meant to be: what the checks say of them is already said."""
    meant = set()
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            keys, written = _keys_at(model, loc[:-1]), _key_meant(str(loc[-1]))
            guess = [written] if written in keys else difflib.get_close_matches(str(loc[-1]), keys, n=1, cutoff=0.6)
            meant |= {loc[:-1] + (guess[0],)} if guess else set()
    return meant


def _key_meant(key: str) -> str:
    """The key an invisible character hid: `alt:\u00a0Lateral …` (a no-break space after the colon) meant `alt`."""
    if next(yamltree.invisible(key), None) is None:
        return key
    return _as_read(key).partition(":")[0].strip().lstrip("-? ").strip()


def _as_read(text: str) -> str:
    """`text` as it looks: its invisible spaces made ordinary and the other invisible characters deleted."""
    return "".join(" " if yamltree.is_space(c) else "" if yamltree.INVISIBLE.fullmatch(c) else c for c in text)


def _with_invisible(diagnostic: Diagnostic, error: ErrorDetails) -> Diagnostic:
    """The diagnostic naming the invisible character in the key or value it is about: the author sees an
    ordinary key or value and would not know what is wrong (the CP007 warning stands at the character)."""
    loc, value = tuple(error["loc"]), error.get("input")
    written = [loc[-1]] if error["type"] == "extra_forbidden" and loc else [value] if isinstance(value, str) \
        else list(value) if isinstance(value, dict) else []  # a mapping: its keys (`-\u00a0name:` is not an item)
    text, at = next(((t, at) for t in written if isinstance(t, str) for at in yamltree.invisible(t)), ("", None))
    if at is None:
        return diagnostic
    char = text[at]
    hint = yamltree.remedy(char).replace(" it", f" the {yamltree.describe(char)}", 1)
    if text is not value:
        hint += f"; YAML then reads `{_as_read(text).strip()}`"
    return dataclasses.replace(diagnostic, message=f"{diagnostic.message}: it holds a {yamltree.describe(char)}",
                               hint=hint)


def is_pruned(path: KeyPath, pruned: frozenset[KeyPath]) -> bool:
    return any(path[: len(p)] == p for p in pruned)


def _prune(data: Any, error: ErrorDetails, pruned: set[KeyPath]) -> bool:
    """Remove what an error is about; False when that would remove the whole document."""
    loc = tuple(error["loc"])
    if error["type"] == "missing":
        loc = loc[:-1]
    while loc and not _holds(_get(data, loc[:-1]), loc[-1]):
        loc = loc[:-1]  # the error is inside a value a validator rewrote (fda-status: text)
    if not loc:
        return False
    parent, last = _get(data, loc[:-1]), loc[-1]
    if isinstance(parent, dict):
        del parent[last]
    else:  # a list item: replaced, not deleted, so the items after it keep their indices
        parent[last] = {} if isinstance(parent[last], dict | list) or error["type"].startswith(("model", "dict")) else ""
    pruned.add(loc)
    return True


def _holds(container: Any, key: Any) -> bool:
    if isinstance(container, dict):
        return key in container
    return isinstance(container, list) and isinstance(key, int) and 0 <= key < len(container)


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _diagnostic(model: type[BaseModel], document: Document, error: ErrorDetails, root: str) -> Diagnostic:
    loc: KeyPath = tuple(error["loc"])
    kind = error["type"]
    name = format_key_path(loc) or root
    value = error.get("input")
    source = document.source
    if kind == "extra_forbidden":
        return _make("CP010", f"unknown key {loc[-1]!r}", _did_you_mean(str(loc[-1]), _keys_at(model, loc[:-1])),
                     source.locate(loc, key=True))
    if kind == "missing":
        parent = format_key_path(loc[:-1]) or root
        return _make("CP013", f"missing required key {loc[-1]!r} in {parent}", f"add `{loc[-1]}:` with its value",
                     source.locate(loc))
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", error.get("ctx", {}).get("expected", ""))
        hint = _did_you_mean(str(value), choices) if isinstance(value, str) else f"choose one of: {', '.join(choices)}"
        return _make("CP012", f"{name} must be one of: {', '.join(choices)} (not {_describe(value)})", hint,
                     source.locate(loc))
    if kind == "too_short":
        least = error.get("ctx", {}).get("min_length", 1)
        return _make("CP014", f"{name} needs at least {counted(least, 'item')}",
                     f"list them under `{loc[-1]}:`", source.locate(loc))
    if kind in _TYPE_WORDS and not kind.startswith("date"):
        expected, hint = _TYPE_WORDS[kind]
        return _make("CP011", f"{name} should be {expected}, not {_describe(value)}", hint, source.locate(loc))
    reason = error["msg"].removeprefix("Value error, ")
    examples = _examples_at(model, loc)
    if kind == "string_pattern_mismatch" and examples:
        return _make("CP014", f"{name}: {_describe(value)} is not valid", f"write it like {' or '.join(examples)}",
                     source.locate(loc))
    if kind.startswith("date"):
        reason = reason.rpartition(", ")[2] or reason  # pydantic: "Input should be a valid date ..., <why>"
    return _make("CP014", f"{name}: {_describe(value)} is not valid: {reason}", _value_hint(kind), source.locate(loc))


def _make(code: str, message: str, hint: str, location: Location) -> Diagnostic:
    return Diagnostic(code, message, location, hint)


def _value_hint(kind: str) -> str:
    if kind.startswith("date") or kind.startswith("datetime"):
        return "write a real date as YYYY-MM-DD, e.g. 2026-12-01"
    if kind.startswith("int"):
        return "write digits only, e.g. 12"
    if kind.startswith("bool"):
        return "write true or false"
    return "correct the value"


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    listed = ", ".join(choices)
    if close:
        return f"did you mean {close[0]!r}? Valid here: {listed}"
    return f"valid here: {listed}" if choices else "remove it"


def _keys_at(model: type[BaseModel] | None, loc: KeyPath) -> list[str]:
    """The keys the model accepts at `loc` (aliases, as the author writes them). The path walks through
    models' fields, list and tuple items (an index) and mappings of named entries (`article-types:
    {images-of-spine-care: ...}`: the part after the field is a name the author chose, not a key)."""
    annotation: Any = model
    for part in loc:
        annotation = _inside(annotation, part)
        if annotation is None:
            return []
    found = _model_of(annotation)
    return [f.alias or n for n, f in found.model_fields.items()] if found else []


def _inside(annotation: Any, part: str | int) -> Any:
    """The annotation of what `part` names inside a value of type `annotation`; None when nothing can be there."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = next((f for n, f in annotation.model_fields.items() if (f.alias or n) == part), None)
        return field.annotation if field else None
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (dict, collections.abc.Mapping) and len(arguments) == 2:
        return arguments[1]  # any name: the entry's value
    if origin in (tuple, list, set, frozenset, collections.abc.Sequence) and isinstance(part, int) and arguments:
        if origin is not tuple or (len(arguments) == 2 and arguments[1] is Ellipsis):  # tuple[X, ...]
            return arguments[0]
        return arguments[part] if 0 <= part < len(arguments) else None
    if origin is typing.Annotated:
        return _inside(arguments[0], part)
    if origin in (typing.Union, types.UnionType):  # `tuple[Author, ...] | None`: the first alternative that fits
        return next((found for argument in arguments
                     if argument is not type(None) and (found := _inside(argument, part)) is not None), None)
    return None


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model an annotation is, optional or not (`Limits`, `FdaStatus | None`); None for a container."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _model_of(arguments[0])
    if origin in (typing.Union, types.UnionType):
        return next((found for argument in arguments if (found := _model_of(argument)) is not None), None)
    return None


def _examples_at(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """The examples the model gives for the field at `loc` (Field(examples=...)), walked as _keys_at walks."""
    annotation: Any = model
    for part in loc[:-1]:
        annotation = _inside(annotation, part)
    parent = _model_of(annotation)
    field = next((f for n, f in parent.model_fields.items() if (f.alias or n) == loc[-1]), None) if parent and loc else None
    return [str(example) for example in (field.examples or [])] if field else []


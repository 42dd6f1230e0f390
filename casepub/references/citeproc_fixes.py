"""One correction to citeproc-py, applied once per process: variables used by a `<substitute>` are suppressed.

CSL 1.0.2 ("Substitution"): a variable printed in place of a missing author is
not printed again in the rest of the entry. citeproc-py remembers only a
substituted `<text variable=...>`, so AMA prints an edited book's editors twice
("Smith J, eds. Big Book. (Smith J, eds.).") and a web page without author its
title twice. Here the substitute records every variable its element uses
(through the macros it calls), and a `<names>` whose variables are all
suppressed prints nothing.
"""
from __future__ import annotations

from functools import cache
from typing import Any

_CSL = "{http://purl.org/net/xbiblio/csl}"


def _variables(element: Any) -> set[str]:
    """The variables an element prints, its own and those of the macros it calls, recursively."""
    found: set[str] = set()
    seen: set[str] = set()
    stack = [element]
    while stack:
        node = stack.pop()
        for child in node.iter():
            found.update((child.get("variable") or "").split())
            macro = child.get("macro")
            if macro and macro not in seen:
                seen.add(macro)
                definition = child.get_macro(macro) if hasattr(child, "get_macro") else None
                if definition is not None:
                    stack.append(definition)
    return found


@cache
def apply() -> None:
    from citeproc import model

    def add_to_repressed_list(self: Any, child: Any, context: Any) -> None:
        repressed = context.get_layout().repressed
        variables = _variables(child)
        for tag in (child.tag, f"{_CSL}text", f"{_CSL}names"):
            repressed.setdefault(tag, []).extend(variables)

    original = model.Names.process

    def process(self: Any, item: Any, names_context: Any = None, context: Any = None, **kwargs: Any) -> Any:
        layout = (context if context is not None else self).get_layout()
        repressed = set(layout.repressed.get(f"{_CSL}names", ()))
        roles = (self.get("variable") or "").split()
        if roles and all(role in repressed for role in roles):
            return None
        return original(self, item, names_context=names_context, context=context, **kwargs)

    model.Substitute.add_to_repressed_list = add_to_repressed_list
    model.Names.process = process

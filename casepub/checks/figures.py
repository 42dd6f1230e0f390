"""Figures and panels: labels, captions, citations in the body, and the image files themselves."""
from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from typing import TYPE_CHECKING

from casepub.checks.registry import Context, rule
from casepub.citations import Citation, Unresolved
from casepub.codes import BY_NAME
from casepub.diagnostics import KeyPath, Problem
from casepub.images import ImageInfo, ImageProblem, inspect, print_layout
from casepub.model import Panel
from casepub.words import counted, quoted

if TYPE_CHECKING:
    from casepub.load.markdown import TextBlock

LABEL = re.compile(r"^[A-Z]$")


def _panels(ctx: Context) -> Iterator[tuple[int, int, Panel, str]]:
    for f, figure in enumerate(ctx.meta.figures):
        for p, panel in enumerate(figure.panels):
            yield f, p, panel, ctx.figures.labels[f][p]


def _name(ctx: Context, figure: int, label: str) -> str:
    return f"panel {label}" if len(ctx.meta.figures) == 1 else f"panel {figure + 1}{label}"


@rule("figure-structure")
def figure_structure(ctx: Context) -> Iterator[Problem]:
    """Figures have panels; panel labels are single capital letters, each used once; figure ids are unique."""
    ids: set[str] = set()
    for f, figure in enumerate(ctx.meta.figures):
        if figure.id and figure.id in ids:
            yield Problem(f"figure id {figure.id!r} is used twice", "give each figure its own id", ("figures", f, "id"))
        ids.add(figure.id or "")
        if not figure.panels:
            yield Problem(f"figure {f + 1} has no panels", "add `panels:` with at least one image", ("figures", f))
        seen: set[str] = set()
        for p, panel in enumerate(figure.panels):
            label = ctx.figures.labels[f][p]
            if panel.label is not None and not LABEL.match(panel.label):
                yield Problem(f"panel label {panel.label!r} should be one capital letter", "use A, B, C ...",
                              ("figures", f, "panels", p, "label"))
            elif label in seen:
                yield Problem(f"panel label {label!r} is used twice in figure {f + 1}", "give each panel its own letter",
                              ("figures", f, "panels", p, "label"))
            seen.add(label)
            if not panel.image:
                yield Problem(f"{_name(ctx, f, label)} has no image", "add `image: figures/file.png`",
                              ("figures", f, "panels", p))


@rule("figure-limit")
def figure_limit(ctx: Context) -> Iterator[Problem]:
    """No more figures and panels than the article type allows."""
    limits = ctx.article.limits
    figures = len(ctx.meta.figures)
    panels = sum(len(figure.panels) for figure in ctx.meta.figures)
    if limits.figures is not None and figures > limits.figures:
        yield Problem(f"{counted(figures, 'figure')}; {ctx.article.name} allows at most {limits.figures}",
                      "combine panels into fewer figures", ("figures",))
    if limits.panels is not None and panels > limits.panels:
        yield Problem(f"{counted(panels, 'panel')}; {ctx.article.name} allows at most {limits.panels}",
                      "keep the panels that show the case best", ("figures",))


@rule("caption-keys")
def caption_keys(ctx: Context) -> Iterator[Problem]:
    """Every caption key names panels of its figure: a label (A) or a range (B-C)."""
    for f, figure in enumerate(ctx.meta.figures):
        for key in figure.caption:
            try:
                ctx.figures.caption_key(f, key)
            except Unresolved as error:
                yield Problem(f"caption key {quoted(key)} names no panel: {error}",
                              "key the caption by a panel label or a range such as B-C",
                              ("figures", f, "caption", key), key=True)


@rule("panel-captioned")
def panel_captioned(ctx: Context) -> Iterator[Problem]:
    """Every panel is captioned exactly once."""
    for f, figure in enumerate(ctx.meta.figures):
        covered: dict[str, str] = {}
        for key, text in figure.caption.items():
            try:
                labels = ctx.figures.caption_key(f, key)
            except Unresolved:
                continue  # reported by caption-keys
            for label in labels:
                if label in covered:
                    yield Problem(f"{_name(ctx, f, label)} is captioned twice (by {quoted(covered[label])} and {quoted(key)})",
                                  "caption each panel under one key", ("figures", f, "caption", key), key=True)
                covered[label] = key
            if not text:
                yield Problem(f"the caption for {quoted(key)} is empty", "write what the panel shows",
                              ("figures", f, "caption", key))
        for p, label in enumerate(ctx.figures.labels[f]):
            if label not in covered:
                yield Problem(f"{_name(ctx, f, label)} has no caption",
                              f"add `{label}: what the panel shows` under the figure's `caption`",
                              ("figures", f, "panels", p))


def _citations(ctx: Context) -> Iterator[tuple[TextBlock, Citation | tuple[int, str, Unresolved]]]:
    for block in ctx.text:
        for found in ctx.figures.citations(block.source):
            yield block, found


@rule("citation-resolves")
def citation_resolves(ctx: Context) -> Iterator[Problem]:
    """Every figure citation in the body names an existing figure and panel."""
    for block, found in _citations(ctx):
        if not isinstance(found, Citation):
            offset, text, error = found
            line, column = block.position(offset)
            yield Problem(f'"{text}" does not resolve: {error}', "cite a panel the case has", line=line, column=column)


@rule("panel-cited")
def panel_cited(ctx: Context) -> Iterator[Problem]:
    """Every panel is cited in the body."""
    cited = {panel for _, found in _citations(ctx) if isinstance(found, Citation) for panel in found.panels}
    for f, p, _, label in _panels(ctx):
        if (f, label) not in cited:
            example = f"Figure {label}" if len(ctx.meta.figures) == 1 else f"Figure {f + 1}{label}"
            yield Problem(f"{_name(ctx, f, label)} is not cited in the text",
                          f'cite it where the text speaks of it, e.g. "({example})"', ("figures", f, "panels", p))


@rule("panel-alt")
def panel_alt(ctx: Context) -> Iterator[Problem]:
    """Every panel has alt text, for readers who cannot see it."""
    for f, p, panel, label in _panels(ctx):
        if not panel.alt:
            yield Problem(f"{_name(ctx, f, label)} has no alt text",
                          "add `alt:` saying what the image shows, e.g. \"Sagittal T2-weighted MRI\"",
                          ("figures", f, "panels", p, "alt"))


def _inspected(ctx: Context) -> Iterator[tuple[tuple, str, ImageInfo | ImageProblem]]:
    """Each panel image, read and verified once per check (several rules share the result)."""
    cache = ctx.images
    rules = ctx.profile.images
    for f, p, panel, label in _panels(ctx):
        if not panel.image:
            continue
        if (f, p) not in cache:
            try:
                cache[(f, p)] = inspect(ctx.case.folder, panel.image, rules.max_bytes, rules.max_pixels, ctx.deep)
            except ImageProblem as problem:
                cache[(f, p)] = problem
        yield ("figures", f, "panels", p, "image"), _name(ctx, f, label), cache[(f, p)]


@rule("panel-image-file")
def panel_image_file(ctx: Context) -> Iterator[Problem]:
    """Panel images exist inside the case folder and are regular files."""
    for path, name, result in _inspected(ctx):
        if isinstance(result, ImageProblem) and result.kind == "file":
            yield Problem(f"{name} image: {result.reason}", result.hint, path)


@rule("panel-image-format")
def panel_image_format(ctx: Context) -> Iterator[Problem]:
    """Panel images are PNG, JPEG or TIFF (as the profile allows), decode, and are not oversized."""
    allowed = ctx.profile.images.formats
    for path, name, result in _inspected(ctx):
        if isinstance(result, ImageProblem) and result.kind != "file":
            yield Problem(f"{name} image: {result.reason}", result.hint, path)
        elif isinstance(result, ImageInfo) and result.format not in allowed:
            yield Problem(f"{name} image is {result.format}; {ctx.profile.name} accepts {', '.join(allowed)}",
                          f"export it as {allowed[0]}", path)


@rule("panel-image-resolution")
def panel_image_resolution(ctx: Context) -> Iterator[Problem]:
    """Panel images have enough pixels to print sharply."""
    minimum = ctx.profile.images.min_pixels
    for path, name, result in _inspected(ctx):
        if isinstance(result, ImageInfo) and min(result.width, result.height) < minimum:
            yield Problem(f"{name} image is {result.width}x{result.height} pixels; print needs at least "
                          f"{minimum} on the shorter side", "use the original, higher-resolution image", path)


_FIELDS_SHOWN = 8


@rule("panel-image-metadata")
def panel_image_metadata(ctx: Context) -> Iterator[Problem]:
    """Panel images carry no text metadata that may identify the patient; casepub publishes panels without it,
    but the original files still hold it."""
    fix = BY_NAME["panel-image-metadata"].fix.rstrip(".")
    for path, name, result in _inspected(ctx):
        if isinstance(result, ImageInfo) and result.metadata:
            fields = list(result.metadata[:_FIELDS_SHOWN])
            if len(result.metadata) > _FIELDS_SHOWN:
                fields.append(f"and {len(result.metadata) - _FIELDS_SHOWN} more")
            image = ctx.meta.figures[path[1]].panels[path[3]].image
            yield Problem(f"{name} image {image!r} holds text metadata ({', '.join(fields)}): it is not published, "
                          "but the original still holds it",
                          fix.replace("figures/a.jpg", shlex.quote(image)), path)


@rule("panel-print-resolution")
def panel_print_resolution(ctx: Context) -> Iterator[Problem]:
    """A panel that fitting to the text area (very tall or very wide) shrinks so far that it prints below the
    journal's minimum resolution: smaller than a regular panel of the figure by more than its pixels allow, as
    if it had fewer than min-pixels on its shorter side. The layout is the renderer's (images.print_layout)."""
    minimum = ctx.profile.images.min_pixels
    for found in _figures_inspected(ctx):
        layout = print_layout([info.shown for _, _, info in found], ctx.profile.page)
        for (path, name, info), place in zip(found, layout.places, strict=True):
            shorter = min(info.width, info.height)
            seen = round(shorter * place.scale)
            if shorter >= minimum > seen:
                width, height = info.shown
                yield Problem(f"{name} image ({width}x{height} pixels) is fitted to the page: it prints "
                              f"{_mm(place.width)} x {_mm(place.height)} mm, {place.scale:.0%} of a regular panel's "
                              f"size, like an image of {seen} pixels on the shorter side; print needs at least "
                              f"{minimum}", _FIT_HINTS[max(width, height) > 2 * shorter], path)


_FIT_HINTS = {True: "crop the image to the region that matters, or split it into two panels",
              False: "a very tall or wide panel in its row shrinks it: crop or split that one, or give it a figure "
                     "of its own"}


def _mm(points: float) -> str:
    return f"{points * 25.4 / 72:.0f}"


def _figures_inspected(ctx: Context) -> Iterator[list[tuple[KeyPath, str, ImageInfo]]]:
    """Each figure whose panels' images can all be read, with them in order (the others cannot be laid out)."""
    figures: dict[int, list[tuple[KeyPath, str, ImageInfo]]] = {}
    for path, name, result in _inspected(ctx):
        if isinstance(result, ImageInfo):
            figures.setdefault(path[1], []).append((path, name, result))
    for f, found in figures.items():
        if len(found) == len(ctx.meta.figures[f].panels):
            yield found


@rule("panel-bit-depth")
def panel_bit_depth(ctx: Context) -> Iterator[Problem]:
    """An image deeper than 8 bits whose pixels use only a small part of its range (12-bit data, 0-4095, in a
    16-bit file, as DICOM exports write it) prints almost black, unless the panel says `levels: auto`."""
    for path, name, result in _inspected(ctx):
        levels = result.levels if isinstance(result, ImageInfo) else None
        if levels is None or not levels.narrow or ctx.meta.figures[path[1]].panels[path[3]].levels == "auto":
            continue
        effect = "almost black" if levels.dark else "with little contrast"
        yield Problem(f"{name} image is {levels.depth} and its pixels use only {levels}: it prints "
                      f"{effect}", "add `levels: auto` to the panel to stretch its values to the full range, or "
                      "export it again as 8-bit", path)

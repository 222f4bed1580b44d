"""Hostile templates in the formats besides Jinja2 (Python format strings, Mustache,
Handlebars), through the command line: each category's promise holds for them too.

A: a partial naming a file outside the repository is refused before anything is read.
C: a template cannot write to the job log (Handlebars' ``log`` helper is gone).
D: output that multiplies is stopped at ``rendered_chars`` without being built (children
   under the memory cap report their peak), loops that print nothing by the timer, and a
   format spec's width is refused before it is allocated.
E: every mistake is exit 2 with the file and line: attribute and index access, positional
   fields, unknown helpers, unclosed tags, undefined variables, nesting past the bounds.
"""

from __future__ import annotations

import json

from adversarial.harness import ESTIMATE, Case, files, peak_below, spec

PEAK = 600
"""MB a child may peak at (costgate itself needs ~150)."""
EXT = {"format": "txt", "mustache": "mustache", "handlebars": "hbs"}


def case(id: str, fmt: str, template: str, exit: int, expect: str, samples: str | None = None,
         extra=None, **kw) -> Case:
    """A system template file in ``fmt`` (by extension, or ``format: format``)."""
    path = f"prompts/system.{EXT[fmt]}"
    system = f"{{file: {path}, format: format}}" if fmt == "format" else f"{{file: {path}}}"
    more = {path: template, **(extra or {})}
    if samples is not None:
        more["samples.jsonl"] = samples
    spec_text = spec(system=system, samples="{file: samples.jsonl}" if samples is not None else "{file: queries.txt}")
    return Case(id, ESTIMATE, exit, expect, files=files(more, spec_text=spec_text), **kw)


LISTS = json.dumps({"query": "q", "a": list(range(100)), "big": "x" * 10_000}) + "\n"
LOCATED = "re:system\\.(txt|mustache|hbs):2: "

CASES: list[Case] = [
    # -- A. nothing outside the repository ------------------------------------------------------
    case("A-mustache-partial-outside", "mustache", "x\n{{> ../../outside/canary}}", 2, "the partial"),
    case("A-mustache-partial-absolute", "mustache", "{{> @CANARY@}}", 2, "the partial"),
    case("A-handlebars-partial-outside", "handlebars", "x\n{{> ../../outside/canary}}", 2, "the partial"),
    case("A-handlebars-partial-block", "handlebars", "{{#> @CANARY@}}x{{/@CANARY@}}", 2, "the partial"),
    # -- C. nothing written to the log ------------------------------------------------------------
    case("C-handlebars-log-workflow-command", "handlebars", '{{log "::error::pwned"}}', 2, "the helper 'log'"),
    case("C-handlebars-log-in-subexpression", "handlebars", '{{#if (log "::warning::x")}}{{/if}}', 2,
         "the helper 'log'"),
    # -- D. bounded work ------------------------------------------------------------------------------
    case("D-format-width-literal", "format", "{query:>999999999}", 2, "rendered_chars", child=True, timeout=60,
         check=peak_below(PEAK)),
    case("D-format-precision-literal", "format", "{query:.999999999}", 2, "rendered_chars"),
    case("D-format-width-from-samples", "format", "{query:>{w}}", 2, "rendered_chars",
         samples='{"query": "q", "w": 999999999}\n', child=True, timeout=60, check=peak_below(PEAK)),
    case("D-format-many-fields", "format", "{big}" * 5000, 2, "rendered_chars", samples=LISTS, child=True,
         timeout=60, check=peak_below(PEAK)),
    case("D-mustache-nested-sections", "mustache", "{{#a}}{{#a}}{{#a}}{{#a}}{{{big}}}{{/a}}{{/a}}{{/a}}{{/a}}", 2,
         "rendered_chars", samples=LISTS, child=True, timeout=60, check=peak_below(PEAK)),
    case("D-mustache-deep-nesting-copies", "mustache", "{{#a}}" * 100_000 + "{{/a}}" * 100_000, 2, "nested so deep",
         samples=LISTS, child=True, timeout=60, check=peak_below(PEAK)),
    case("D-mustache-silent-loops-render-seconds", "mustache", "{{#a}}{{#a}}{{#a}}{{#a}}{{/a}}{{/a}}{{/a}}{{/a}}", 2,
         "render_seconds limit of 1 s", samples=LISTS, extra={"costgate.yaml": "limits: {render_seconds: 1}\n"},
         child=True, timeout=60),
    case("D-mustache-spaces-are-linear", "mustache", " " * 900_000 + "{{query}}", 0, "bot",
         note="pystache's tokenizer is quadratic on a run of spaces; mstache's is not: exit 0 in a second"),
    case("D-handlebars-nested-each", "handlebars", "{{#each a}}{{#each @root.a}}{{#each @root.a}}{{{@root.big}}}"
         "{{/each}}{{/each}}{{/each}}", 2, "rendered_chars", samples=LISTS, child=True, timeout=60,
         check=peak_below(PEAK)),
    case("D-handlebars-silent-loops", "handlebars", "{{#each a}}{{#each @root.a}}{{#each @root.a}}{{#each @root.a}}"
         "{{/each}}{{/each}}{{/each}}{{/each}}", 2, "re:rendered_chars|render_seconds", samples=LISTS, child=True,
         timeout=60),
    case("D-handlebars-triple-stash-parse-time", "handlebars", "{{{query}}}" * 400_000, 2,
         "render_seconds limit of 1 s", extra={"costgate.yaml": "limits: {render_seconds: 1}\n"},
         note="the library's parser is quadratic in {{{ tags; parsing runs under the render timer"),
    case("D-handlebars-deep-nesting", "handlebars", "{{#if query}}" * 5000 + "{{/if}}" * 5000, 2, "nested over 100"),
    # -- E. exit 2 with the file and line --------------------------------------------------------------
    case("E-format-attribute-access", "format", "x\n{query.__class__.__mro__}", 2, LOCATED),
    case("E-format-index-access", "format", "x\n{query[0]}", 2, "format strings may only name variables"),
    case("E-format-positional", "format", "x\n{0}", 2, "positional field"),
    case("E-format-unclosed", "format", "x\n{query", 2, LOCATED),
    case("E-format-undefined", "format", "x\n{nope}", 2, "undefined template variable: 'nope'"),
    case("E-format-spec-for-another-type", "format", "x\n{query:.2f}", 2, "template failed to render"),
    case("E-format-null-sample-value", "format", "{query:>4}", 2, "NoneType", samples='{"query": null}\n'),
    case("E-mustache-unclosed-tag", "mustache", "x\n{{query", 2, LOCATED),
    case("E-mustache-unclosed-section", "mustache", "x\n{{#query}}", 2, "a section is never closed"),
    case("E-mustache-undefined", "mustache", "x\n{{nope}}", 2, LOCATED),
    case("E-mustache-attribute-walk", "mustache", "x\n{{query.__class__.__init__.__globals__}}", 2,
         "undefined template variable"),
    case("E-mustache-bad-delimiters", "mustache", "{{=<%=}}", 2, "delimiter"),
    case("E-mustache-not-utf8-in-sample", "mustache", "{{query}} {{n}} {{l}}", 0, "bot",
         samples='{"query": "a\\udcffb", "n": 1e308, "l": [null, true, {"a": 1}]}\n',
         note="a lone surrogate and non-string values render: exit 0"),
    case("E-handlebars-unclosed-tag", "handlebars", "x\n{{query", 2, LOCATED),
    case("E-handlebars-unclosed-block", "handlebars", "x\n{{#each query}}", 2, "unclosed block"),
    case("E-handlebars-helper", "handlebars", "x\n{{json query}}", 2, "the helper 'json'"),
    case("E-handlebars-undefined", "handlebars", "x\n{{nope}}", 2, LOCATED),
    case("E-handlebars-decorator", "handlebars", "{{* decorate}}", 2, "template syntax error"),
    case("E-handlebars-if-arity", "handlebars", "x\n{{#if}}y{{/if}}", 2, "takes exactly one argument"),
    case("E-handlebars-values", "handlebars", "{{query}} {{n}} {{l}}", 0, "bot",
         samples='{"query": "a\\udcffb", "n": 1e308, "l": [null, true, {"a": 1}]}\n',
         note="a lone surrogate and non-string values render: exit 0"),
]

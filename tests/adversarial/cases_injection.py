"""C. Injection into the pull-request comment, the terminal and the CI log.

File names, template paths, ref names, model ids from the pull request's price files,
descriptions and every spec value quoted in an error are text the pull request
controls. In markdown they must be shown, never interpreted (no HTML, mentions, links,
extra table cells); in any output no line may act as a GitHub workflow command
(``::error::``, ``##[error]``) and no raw control character (ESC, CR) may reach a
terminal or a log. The harness checks all of that on every case; the cases here put the
dangerous text everywhere it can travel. Feature ids, call and scenario names outside
``[A-Za-z0-9_.-]`` are refused (exit 2) by the loader.
"""

from __future__ import annotations

import json

from adversarial.harness import (
    ESTIMATE,
    GROWN,
    GROWTH,
    PR,
    PR_REFS,
    SPEC,
    Case,
    Ctx,
    files,
    gate_base,
    prices_file,
    spec,
)
from helpers import AS_OF, git, hello

# name -> a path component carrying it ("/" splits folders, so "</details>" is two)
HOSTILE_NAMES = {
    "html-details-img": "</details><img src=x onerror=alert(1)>",
    "mention": "@everyone",
    "backticks": "`rm -rf ~`",
    "pipes": "a|b|c",
    "emphasis": "**bold** _it_ ~~x~~",
    "newline-warning": "x\n::warning::pwned",
    "cr-error": "x\r::error::pwned",
    "ansi": "\x1b[31mred\x1b[0m",
    "link": "[click](javascript:alert(1))",
    "image": "![x](y)",
    "html-comment": "<!-- hidden -->",
    "logging-command": "##[error]pwned",
    "escaped-newline": "%0A::error::pwned",
    "line-separator": "x\u2028::error::pwned",
    "tab": "a\tb",
    "heading": "\n# heading",
}
REFUSED_NAMES = {"newline-warning", "cr-error", "ansi", "tab", "heading"}
"""Names with control characters: paths holding them are refused (exit 2) wherever a spec names them."""
CONTROL = "contains control characters"
ANNOTATED_NAMES = ("logging-command", "line-separator", "escaped-newline", "mention", "html-details-img", "pipes",
                   "backticks", "newline-warning", "cr-error")


def y(text: str) -> str:
    """``text`` as a YAML double-quoted scalar."""
    return json.dumps(text)


def template_path(label: str) -> str:
    return f"prompts/{HOSTILE_NAMES[label]}.j2"


def renamed_template(label: str, fmt: str, *extra: str) -> Case:
    """The pull request grows the prompt and renames its template to a hostile name: the
    name travels into the crossing (file), the comment and the annotations."""
    path = template_path(label)
    argv = PR + ("--format", fmt, *extra)
    exit, expect = (2, CONTROL) if label in REFUSED_NAMES else (1, "system_prompt_growth" if fmt != "table" else GROWTH)
    return Case(f"C-template-name-{label}-{fmt}" + ("-annotations" if extra else ""), argv, exit, expect,
                files={"prompts/system.j2": None, path: GROWN, SPEC: spec(system="{file: " + y(path) + "}")},
                base=gate_base(), commit_head=True)


def renamed_spec(label: str, fmt: str) -> Case:
    """The spec itself moves to a hostile name (paired by git rename detection)."""
    name = HOSTILE_NAMES[label].replace("/", "_") + ".costgate.yaml"
    exit, expect = (2, CONTROL) if label in REFUSED_NAMES else (1, "system_prompt_growth" if fmt != "table" else GROWTH)
    return Case(f"C-spec-name-{label}-{fmt}", PR + ("--format", fmt), exit, expect,
                files={SPEC: None, name: spec(), "prompts/system.j2": GROWN}, base=gate_base(), commit_head=True)


def refused(kind: str, label: str, value: str, expect: str) -> Case:
    """A feature id, call name or scenario name the loader must refuse."""
    if kind == "feature":
        text = spec(feature=y(value))
    elif kind == "call":
        text = spec(name=y(value))
    else:
        text = spec(top=f"scenarios:\n  {y(value)}: {{answer: {{model: gpt-4o-mini}}}}")
    return Case(f"C-{kind}-name-refused-{label}", ESTIMATE, 2, expect, files=files(spec_text=text))


def error_echo(label: str, text: str, expect: str, **kw) -> Case:
    """A hostile value quoted by an error message (stderr goes to the CI log)."""
    return Case(f"C-error-echo-{label}", kw.pop("argv", ESTIMATE), 2, expect,
                files=files(spec_text=text) if "files" not in kw else kw.pop("files"), **kw)


def _branch(name: str):
    def setup(ctx: Ctx) -> None:
        git(ctx.repo, "branch", name, "HEAD~1")
    return setup


REF_NAMES = {
    "img": "<img/src=x/onerror=alert(1)>",
    "details": "x</details>",
    "mention": "@everyone",
    "backtick": "a`b``c",
    "pipe": "a|b",
    "comment": "<!--x-->",
}
BAD_IDS = {
    "uppercase": "Bot",
    "html": "bot<img src=x>",
    "newline-command": "bot\n::error::pwned",
    "empty": "",
    "leading-dash": "-bot",
    "space": "bot bot",
    "dotdot": "../bot",
    "slash": "bot/x",
    "fullwidth": "\uff42ot",
    "zero-width": "bot\u200b",
    "mention": "@everyone",
    "backtick": "`bot`",
    "pipe": "bot|x",
    "workflow": "::error::x",
}
BAD_CALLS = {
    "html": "answer<img src=x>",
    "newline-command": "answer\n::error::pwned",
    "space": "ans wer",
    "empty": "",
    "accented": "\u00e1nswer",
    "backtick": "answer`",
    "pipe": "a|b",
    "mention": "@everyone",
    "workflow": "::error::x",
    "cr": "a\rb",
}
BAD_SCENARIOS = {
    "html": "<img src=x onerror=alert(1)>",
    "newline-command": "a\n::error::b",
    "mention": "@everyone",
    "pipe": "a|b",
    "backtick": "`x`",
    "space": "a b",
    "ansi": "\x1b[2Jx",
}

HOSTILE_MODEL_IDS = {
    "img": "<img/src=x/onerror=alert(1)>",
    "mention": "@everyone",
    "pipe": "a|b",
    "backtick": "x`y",
    "details": "</details>",
    "workflow": "::error::pwned",
}


def estimate_with_model(label: str, fmt: str) -> Case:
    """A repository price layer defines a model with a hostile id; the spec uses it."""
    mid = HOSTILE_MODEL_IDS[label]
    layer = prices_file(mid, provider="acme", name="Acme </details> @everyone")
    return Case(f"C-model-id-{label}-estimate-{fmt}", ("estimate", "@REPO@/bot.costgate.yaml", "--as-of", AS_OF,
                                                        "--format", fmt), 0, "bot",
                files=files({"costgate.yaml": "pricing: [prices]\n", "prices/acme.yaml": layer},
                            spec_text=spec(model=y(mid))))


def gate_price_section(label: str) -> Case:
    """The pull request adds a hostile model to a price layer: the comment's price section
    (reported, not used) names it."""
    mid = HOSTILE_MODEL_IDS[label]
    layer = prices_file("gpt-4o", mid, provider="acme", name="Acme </details> <img src=x> @everyone")
    return Case(f"C-model-id-{label}-gate-price-section", PR + ("--format", "markdown"), 1, "system_prompt_growth",
                files={"prices/acme.yaml": layer, "prompts/system.j2": GROWN},
                base=gate_base({"costgate.yaml": "pricing: [prices]\n",
                                "prices/acme.yaml": prices_file("gpt-4o", provider="acme")}), commit_head=True)


CASES: list[Case] = [
    *[renamed_template(label, "markdown") for label in HOSTILE_NAMES],
    *[renamed_template(label, "table", "--annotations") for label in ANNOTATED_NAMES],
    *[renamed_template(label, "json") for label in ("line-separator", "html-details-img", "backticks", "ansi")],
    *[renamed_spec(label, fmt) for label in ("html-details-img", "mention", "backticks", "pipes", "ansi",
                                             "newline-warning") for fmt in ("markdown",)],
    *[renamed_spec(label, "table") for label in ("ansi", "cr-error", "newline-warning")],
    *[refused("feature", label, value, "feature must be an id") for label, value in BAD_IDS.items()],
    *[refused("call", label, value, "call name must be an identifier") for label, value in BAD_CALLS.items()],
    *[refused("scenario", label, value, "scenario name") for label, value in BAD_SCENARIOS.items()],
    *[estimate_with_model(label, "markdown") for label in HOSTILE_MODEL_IDS],
    *[estimate_with_model(label, "table") for label in ("workflow", "pipe")],
    *[gate_price_section(label) for label in ("img", "mention", "pipe", "details", "workflow")],

    # -- hostile ref names in the comment --------------------------------------------------
    *[Case(f"C-base-ref-{label}", ("diff", "-C", "@REPO@", "--base", name, "--as-of", AS_OF, "--format", "markdown"),
           1, "system_prompt_growth", files={"prompts/system.j2": GROWN}, base=gate_base(), commit_head=True,
           setup=_branch(name)) for label, name in REF_NAMES.items()],
    Case("C-head-ref-img", PR_REFS[:-4] + ("--head", "<img/src=x/onerror=alert(1)>", "--as-of", AS_OF,
                                           "--format", "markdown"), 1, "system_prompt_growth",
         files={"prompts/system.j2": GROWN}, base=gate_base(), commit_head=True,
         setup=lambda ctx: git(ctx.repo, "branch", "<img/src=x/onerror=alert(1)>", "HEAD")),

    # -- free text of the spec in reports ----------------------------------------------------
    Case("C-description-estimate-markdown", ESTIMATE[:-1] + ("--format", "markdown"), 0, "bot",
         files=files(spec_text=spec(top="description: " + y("<img src=x onerror=alert(1)>\n::error::x @everyone |")))),
    Case("C-samples-path-estimate-markdown", ESTIMATE[:-1] + ("--format", "markdown"), 0, "bot",
         files=files({"q</details><img src=x>@everyone.txt": "hi\n"},
                     spec_text=spec(samples="{file: " + y("q</details><img src=x>@everyone.txt") + "}"))),
    Case("C-spec-path-estimate-markdown", ("estimate", "@REPO@", "--as-of", AS_OF, "--format", "markdown"), 0,
         "bot", files={"x<img src=x>@everyone`|.costgate.yaml": spec(), "queries.txt": "hi\n",
                       "prompts/system.j2": hello(5)}),
    Case("C-spec-path-estimate-table-ansi", ("estimate", "@REPO@", "--as-of", AS_OF), 2, CONTROL,
         files={"\x1b[2J\x1b[31mx\r::error::y.costgate.yaml": spec(), "queries.txt": "hi\n",
                "prompts/system.j2": hello(5)}),
    Case("C-report-file-markdown", PR + ("--format", "markdown", "-o", "@TMP@/report.md"), 1, "",
         files={"prompts/system.j2": None, template_path("html-details-img"): GROWN,
                SPEC: spec(system="{file: " + y(template_path("html-details-img")) + "}")},
         base=gate_base(), commit_head=True, writes=("report.md",)),

    # -- error messages quote what the pull request wrote --------------------------------------
    error_echo("missing-template-newline", spec(system="{file: " + y("missing\n::error::pwned.j2") + "}"), CONTROL),
    error_echo("missing-template-cr", spec(system="{file: " + y("missing\r::error::pwned.j2") + "}"), CONTROL),
    error_echo("missing-template-ansi", spec(system="{file: " + y("\x1b[2Jmissing.j2") + "}"), CONTROL),
    error_echo("samples-extension-newline", spec(samples="{file: " + y("q\n::error::pwned.csv") + "}"),
               "must end in .txt or .jsonl"),
    error_echo("samples-extension-cr", spec(samples="{file: " + y("q\r::error::pwned.csv") + "}"),
               "re:must end in .txt or .jsonl|control characters"),
    error_echo("model-newline", spec(model=y("gpt\n::error::pwned")), "unknown model"),
    error_echo("model-ansi", spec(model=y("\x1b[31mgpt")), "unknown model"),
    error_echo("mix-model-html", spec(model_line="    mix: {" + y("<img src=x onerror=alert(1)>") + ": 1}"),
               "unknown model"),
    error_echo("mix-key-escape-in-path", spec(model_line="    mix: {" + y("gpt\x1b[2J") + ": -1}"), "mix"),
    error_echo("mix-key-cr-in-path", spec(model_line="    mix: {" + y("a\r::error::x") + ": -1}"), "mix"),
    error_echo("unknown-key-newline", spec(top=y("x\n::error::pwned") + ": 1"), "unknown key"),
    error_echo("unknown-key-cr", spec(top=y("x\r::error::pwned") + ": 1"), "unknown key"),
    error_echo("scenario-call-key", spec(top="scenarios:\n  s: {" + y("a\n::error::b") + ": {model: gpt-4o}}"),
               "unknown key"),
    error_echo("history-value-newline", spec(call="    history: " + y("x\n::error::pwned")), "history"),
    error_echo("ttl-value-cr", spec(call="    cache: {ttl: " + y("5m\r::error::x") + "}"), "ttl"),
    error_echo("latency-value-ansi", spec(call="    latency: " + y("\x1b[31moffline")), "latency"),
    error_echo("number-as-text", spec(per_session=y("1\n::error::pwned")), "must be a number"),
    error_echo("template-syntax", spec(system=y("{% if %}\n::error::pwned")), "template syntax error"),
    error_echo("template-undefined-name", spec(system=y("{{ x }}")), "undefined",
               files=files({"queries.txt": "hi\n"}, spec_text=spec(system=y("\n::error::pwned {{ nope }}")))),
    error_echo("yaml-error-line", "version: 1\n::error::pwned: [\n", "invalid YAML"),
    error_echo("pricing-layer-name", spec(), "pricing layer",
               files=files({"costgate.yaml": "pricing: [" + y("x\n::error::pwned") + "]\n"})),
    error_echo("glob-name", spec(), "leaves the repository",
               files=files({"costgate.yaml": "specs: [" + y("/x\n::error::pwned") + "]\n"}),
               argv=("estimate", "@REPO@", "--as-of", AS_OF)),
    error_echo("cli-spec-path", spec(), "re:no such file|control characters",
               argv=("estimate", "@REPO@/nope\n::error::pwned\r::warning::x", "--as-of", AS_OF)),
    error_echo("cli-as-of", spec(), "--as-of", argv=ESTIMATE + ("--as-of", "x\n::error::pwned")),
    error_echo("cli-base-ref", spec(), "unknown git ref", base=gate_base(),
               argv=("diff", "-C", "@REPO@", "--base", "x\n::error::pwned\r::warning::y")),
    error_echo("cli-base-ref-origin", spec(), "unknown git ref", base=gate_base(),
               argv=("diff", "-C", "@REPO@", "--base", "origin/x\n::error::pwned\r::warning::y")),
    error_echo("cli-tokens-model", spec(), "unknown model",
               argv=("tokens", "-m", "x\n::error::pwned", "@REPO@/queries.txt")),
    error_echo("cli-pricing-show", spec(), "unknown model", argv=("pricing", "show", "x\n::error::pwned\x1b[2J")),
    Case("C-error-echo-cli-format-choice", ESTIMATE + ("--format", "x\n::error::pwned"), 2, "Invalid value",
         files=files(), usage=True),
    Case("C-error-echo-cli-missing-dir", ("diff", "-C", "@TMP@/x\n::error::pwned\r::warning::y", "--base", "HEAD"), 2,
         "does not exist", files=files(), usage=True),
    error_echo("price-file-model-id", spec(), "provider",
               files=files({"costgate.yaml": "pricing: [prices]\n",
                            "prices/acme.yaml": prices_file("x", provider="acme").replace(
                                "provider: acme", "provider: " + y("acme\n::error::pwned"))})),
]

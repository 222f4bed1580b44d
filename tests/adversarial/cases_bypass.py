"""B. Gate bypass: a pull request that grows the system prompt ~20x (200 -> 4,000 tokens)
must still fail (exit 1) whatever else it changes at the same time.

The base branch is the authority: its config (or the built-in defaults when it has none),
its ``specs:`` globs and its price layers judge the pull request; features are matched
across renames of the id, the spec file and the calls. New features are held to absolute
limits. Deleting a spec is reported as a ``feature_removed`` warning (exit 0): the gate
cannot fail a feature that no longer exists, and says so in the report.
"""

from __future__ import annotations

from adversarial.harness import (
    DIFF,
    GROWN,
    GROWTH,
    PR,
    PR_REFS,
    SPEC,
    Case,
    Ctx,
    Link,
    gate_base,
    prices_file,
    spec,
)
from helpers import QUERIES, git, hello

COST = r"re:monthly cost of \S+ rose from"
LOOSE = """\
thresholds:
  system_prompt_growth: {percent: 100000, tokens: 100000000}
  monthly_cost_increase: {percent: 100000, usd: 100000000}
  new_feature: {system_prompt_tokens: 100000000, monthly_usd: 100000000}
"""
LOOSE_TOML = """\
[tool.costgate.thresholds]
system_prompt_growth = {percent = 100000, tokens = 100000000}
monthly_cost_increase = {percent = 100000, usd = 100000000}
"""
STRICT = "thresholds:\n  system_prompt_growth: {percent: 5, tokens: 50}\n"
MOVED = spec(system="{file: ../prompts/system.j2}", samples="{file: ../queries.txt}")
TWO_CALLS = """\
version: 1
feature: bot
traffic: {{sessions_per_day: 1000}}
samples: {{file: queries.txt}}
calls:
  - name: {first}
    model: gpt-4o
    per_session: 1
    system: {{file: prompts/{first_file}.j2}}
    user: "{{{{ query }}}}"
    output_tokens: 10
  - name: {second}
    model: gpt-4o
    per_session: 1
    system: {{file: prompts/{second_file}.j2}}
    user: "{{{{ query }}}}"
    output_tokens: 10
"""
# The same spec as the base's, rewritten in another style: git's rename detection sees
# less than 50% of the lines in common.
REWRITTEN = """\
{"version": 1, "feature": "bot",
 "traffic": {"sessions_per_day": 1000},
 "samples": {"file": "queries.txt"},
 "calls": [{"name": "answer", "model": "gpt-4o", "per_session": 1,
            "system": {"file": "prompts/system.j2"}, "user": "{{ query }}", "output_tokens": 10}]}
"""


def bypass(id: str, head: dict, *, base: dict | None = None, argv=PR, fmt: str | None = None, exit: int = 1,
           expect: str = GROWTH, **kw) -> Case:
    """The pull request ``head`` (committed on top of ``base``) grows the prompt and tries ``id``."""
    argv = tuple(argv) + (("--format", fmt) if fmt else ())
    kw.setdefault("commit_head", True)
    return Case(id=f"B-{id}", argv=argv, exit=exit, expect=expect, files=head,
                base=gate_base() if base is None else base, **kw)


def grow(**extra) -> dict:
    """The head: the grown prompt plus ``extra`` files (``__`` in a key is ``/``)."""
    return {"prompts/system.j2": GROWN, **{k.replace("__", "/"): v for k, v in extra.items()}}


def _event(ctx: Ctx) -> None:
    sha = git(ctx.repo, "rev-parse", "HEAD~1").strip()
    (ctx.tmp / "event.json").write_text('{"pull_request": {"base": {"sha": "%s"}}}' % sha)


def _origin_main(ctx: Ctx) -> None:
    git(ctx.repo, "update-ref", "refs/remotes/origin/main", "HEAD~1")


def new_feature(name: str, *, tokens: int = 200, sessions: int = 1000, model: str = "gpt-4o") -> dict:
    return {f"{name}.costgate.yaml": spec(feature=name, model=model, system=f"{{file: prompts/{name}.j2}}",
                                         traffic=f"{{sessions_per_day: {sessions}}}"),
            f"prompts/{name}.j2": hello(tokens)}


NEW_TOKENS = r"re:system prompt of new feature \S+ is [0-9,]+ tokens"
NEW_USD = r"re:new feature \S+ is projected at"
CHECK = ("check", "-C", "@REPO@", "--as-of", "2026-11-01")

CASES: list[Case] = [
    # -- controls: the plain growth fails in every format and on both heads -------------
    bypass("control-growth", grow()),
    bypass("control-growth-git-head", grow(), argv=PR_REFS),
    bypass("control-growth-markdown", grow(), fmt="markdown", expect="**system_prompt_growth**"),
    bypass("control-growth-json", grow(), fmt="json", expect='"threshold": "system_prompt_growth"'),
    bypass("control-growth-uncommitted", grow(), argv=DIFF, commit_head=False),
    bypass("control-growth-annotations", grow(), argv=PR + ("--annotations",),
           expect="re:::error file=prompts/system.j2,line=1,title=costgate system_prompt_growth::"),
    bypass("control-growth-quiet", grow(), argv=PR + ("--quiet",)),

    # -- identity: renames and moves ---------------------------------------------------
    bypass("rename-feature-id", grow(**{SPEC: spec(feature="bot2")})),
    bypass("rename-call", grow(**{SPEC: spec(name="reply")})),
    bypass("rename-feature-and-call", grow(**{SPEC: spec(feature="bot2", name="reply")})),
    bypass("move-spec-to-folder", grow(**{SPEC: None, "llm/bot.costgate.yaml": MOVED})),
    bypass("move-spec-rename-id-and-call", grow(**{SPEC: None, "llm/bot.costgate.yaml": spec(
        feature="assistant", name="reply", system="{file: ../prompts/system.j2}", samples="{file: ../queries.txt}")})),
    bypass("rename-extension-out-of-globs", grow(**{SPEC: None, "bot.costgate.yml": spec()})),
    bypass("rename-extension-out-of-globs-git-head", grow(**{SPEC: None, "bot.costgate.yml": spec()}), argv=PR_REFS),
    bypass("rename-extension-staged", grow(**{SPEC: None, "bot.costgate.yml": spec()}), argv=DIFF,
           commit_head=False, stage=True),
    bypass("rename-extension-untracked", grow(**{SPEC: None, "bot.costgate.yml": spec()}), argv=DIFF,
           commit_head=False),
    bypass("rename-extension-to-txt", grow(**{SPEC: None, "bot.txt": spec()})),
    bypass("rename-extension-and-rewrite", grow(**{SPEC: None, "bot.costgate.yml": REWRITTEN})),
    bypass("move-out-of-base-globs", grow(**{"llm/bot.costgate.yaml": None, "other/bot.costgate.yaml": MOVED}),
           base=gate_base({SPEC: None, "llm/bot.costgate.yaml": MOVED,
                           "costgate.yaml": 'specs: ["llm/*.costgate.yaml"]\n'})),
    bypass("rename-template-file", grow(**{"prompts/system.j2": None, "prompts/new.j2": GROWN,
                                           SPEC: spec(system="{file: prompts/new.j2}")})),
    bypass("rename-call-and-template", grow(**{"prompts/system.j2": None, "prompts/new.j2": GROWN,
                                               SPEC: spec(name="reply", system="{file: prompts/new.j2}")})),
    bypass("swap-and-rename-two-calls",
           {SPEC: TWO_CALLS.format(first="y", second="x", first_file="b", second_file="a"), "prompts/a.j2": GROWN},
           base=gate_base({SPEC: TWO_CALLS.format(first="a", second="b", first_file="a", second_file="b"),
                           "prompts/a.j2": hello(200), "prompts/b.j2": hello(200)})),

    # -- the pull request's own config and price layers never judge it ------------------
    bypass("head-config-narrows-specs", grow(**{"costgate.yaml": 'specs: ["none/*.costgate.yaml"]\n'}),
           base=gate_base({"costgate.yaml": 'specs: ["**/*.costgate.yaml"]\n'})),
    bypass("head-adds-config-narrowing-specs", grow(**{"costgate.yaml": 'specs: ["none/*"]\n'})),
    bypass("head-adds-config-loosening", grow(**{"costgate.yaml": LOOSE})),
    bypass("head-edits-config-loosening", grow(**{"costgate.yaml": LOOSE}),
           base=gate_base({"costgate.yaml": "thresholds:\n  system_prompt_growth: {percent: 10, tokens: 200}\n"})),
    bypass("head-config-feature-override-1000", grow(**{"costgate.yaml":
                                                        "features: {bot: {system_prompt_growth: {percent: 1000}}}\n"})),
    bypass("head-config-feature-override-huge", grow(**{"costgate.yaml": "features: {bot: {system_prompt_growth: "
                                                        "{percent: 100000, tokens: 100000000}}}\n"})),
    bypass("head-config-call-override", grow(**{"costgate.yaml": "features: {bot: {calls: {answer: "
                                                "{system_prompt_growth: {percent: 100000, tokens: 100000000}}}}}\n"})),
    bypass("head-config-empty-thresholds", grow(**{"costgate.yaml": "thresholds: {}\n"})),
    bypass("head-config-thresholds-only-warn", grow(**{"costgate.yaml": "thresholds: {}\nwarn:\n"
                                                       "  system_prompt_growth: {percent: 10}\n"})),
    bypass("head-config-invalid-yaml", grow(**{"costgate.yaml": "thresholds: [\n"})),
    bypass("head-config-specs-absolute", grow(**{"costgate.yaml": 'specs: ["/etc/*"]\n'})),
    bypass("head-config-pricing-escape", grow(**{"costgate.yaml": "pricing: [../outside/pricing]\n"})),
    bypass("head-adds-pyproject-loosening", grow(**{"pyproject.toml": LOOSE_TOML})),
    bypass("head-swaps-config-for-pyproject", grow(**{"costgate.yaml": None, "pyproject.toml": LOOSE_TOML}),
           base=gate_base({"costgate.yaml": STRICT})),
    bypass("head-config-raises-work-limits", {"prompts/system.j2": "{{ 'x' * 2000000 }}",
                                              "costgate.yaml": "limits: {rendered_chars: 100000000}\n"},
           exit=2, expect="rendered_chars"),
    bypass("head-config-edit-is-noted", grow(**{"costgate.yaml": LOOSE}), fmt="markdown",
           expect="This pull request edits the gate's config"),
    bypass("config-option-names-head-only-file", grow(**{"loose.yaml": LOOSE}), argv=PR + ("--config", "loose.yaml"),
           cwd="@REPO@"),
    bypass("head-adds-price-layer-at-zero", grow(**{"costgate.yaml": "pricing: [prices]\n",
                                                    "prices/openai.yaml": prices_file("gpt-4o", input="0", output="0")}),
           expect=COST),
    bypass("head-zeroes-base-price-layer", grow(**{"prices/openai.yaml": prices_file("gpt-4o", input="0", output="0")}),
           base=gate_base({"costgate.yaml": "pricing: [prices]\n", "prices/openai.yaml": prices_file("gpt-4o")}),
           expect=COST),
    bypass("head-zeroes-prices-and-grows-traffic",
           {"prices/openai.yaml": prices_file("gpt-4o", input="0", output="0"),
            SPEC: spec(traffic="{sessions_per_day: 100000}")},
           base=gate_base({"costgate.yaml": "pricing: [prices]\n", "prices/openai.yaml": prices_file("gpt-4o")}),
           expect=COST),
    bypass("head-price-change-is-reported-apart", grow(**{"prices/openai.yaml": prices_file("gpt-4o", input="0",
                                                                                            output="0")}),
           base=gate_base({"costgate.yaml": "pricing: [prices]\n", "prices/openai.yaml": prices_file("gpt-4o")}),
           fmt="markdown", expect="not used to judge it"),
    bypass("head-aliases-model-to-free-one", grow(**{"costgate.yaml": "pricing: [prices]\n",
                                                     "prices/acme.yaml": prices_file("free", provider="acme", input="0",
                                                                                     output="0").replace(
                                                         "    name: free\n", "    name: free\n    aliases: [gpt-4o]\n")}),
           expect=COST),
    bypass("head-uses-its-own-zero-priced-model",
           grow(**{"costgate.yaml": "pricing: [prices]\n",
                   "prices/acme.yaml": prices_file("free-model", provider="acme", input="0", output="0"),
                   SPEC: spec(model="free-model")}),
           exit=2, expect="unknown model 'free-model'"),

    # -- where the tokens go -------------------------------------------------------------
    bypass("growth-moved-to-context", {SPEC: spec(context="{file: prompts/ctx.j2}"), "prompts/ctx.j2": GROWN},
           expect=COST),
    bypass("growth-moved-to-user", {SPEC: spec(user="{file: prompts/user.j2}"),
                                    "prompts/user.j2": GROWN + "{{ query }}"}, expect=COST),
    bypass("growth-with-fewer-sessions", grow(**{SPEC: spec(traffic="{sessions_per_day: 50}")})),
    bypass("growth-with-fewer-days", grow(**{SPEC: spec(traffic="{sessions_per_day: 1000, days_per_month: 1}")})),
    bypass("growth-with-semantic-cache", grow(**{SPEC: spec(call="    cache: {semantic_hit_rate: 0.99}")})),
    bypass("growth-with-prompt-caching", grow(**{SPEC: spec(call="    cache: {prompt_prefix: true}")})),
    bypass("growth-with-per-session-zero", grow(**{SPEC: spec(per_session="0")})),
    bypass("growth-with-cheaper-model", grow(**{SPEC: spec(model="gpt-4o-mini")})),
    bypass("growth-with-approximate-model", grow(**{SPEC: spec(model="claude-sonnet-4-5")})),
    bypass("growth-via-jinja-loop", {SPEC: spec(system="'{% for i in range(4000) %} hello{% endfor %}'")}),
    bypass("growth-via-vars", {SPEC: spec(system='"{{ big }}"', top="vars:\n  big: '" + GROWN + "'")}),
    bypass("growth-in-one-sample-only", {SPEC: spec(samples="{file: rows.jsonl}",
                                                    system="'{% if big %}" + GROWN + "{% endif %}'"),
                                         "rows.jsonl": '{"query": "a", "big": true}\n{"query": "b", "big": false}\n'}),
    bypass("growth-only-on-turn-two", {SPEC: spec(per_session="2",
                                                  system="'{% if turn == 2 %}" + GROWN + "{% endif %}'")},
           expect="re:system prompt of \\S+ grew from|monthly cost of \\S+ rose"),
    bypass("growth-through-in-repo-symlink", {"prompts/big.j2": GROWN, "prompts/system.j2": Link("big.j2")}),
    bypass("second-call-carries-growth", {SPEC: spec(call="""\
  - name: answer2
    model: gpt-4o
    per_session: 1
    system: {file: prompts/big.j2}
    user: "{{ query }}"
"""), "prompts/big.j2": GROWN}, expect=COST),
    bypass("gitattributes-binary-template", grow(**{".gitattributes": "*.j2 binary -diff\n"})),
    bypass("split-feature-in-two", {SPEC: spec(system="{file: prompts/short.j2}"), "prompts/short.j2": hello(200),
                                    "bot-more.costgate.yaml": spec(feature="bot-more"), "prompts/system.j2": GROWN}),

    # -- the spec goes away or breaks ------------------------------------------------------
    bypass("delete-spec-warns", {SPEC: None}, exit=0, expect="no longer gated",
           note="a deleted spec cannot be gated: a feature_removed warning, exit 0"),
    bypass("delete-spec-warns-json", {SPEC: None}, exit=0, expect='"threshold": "feature_removed"', fmt="json"),
    bypass("delete-and-readd-unrelated", {SPEC: None, "assistant.costgate.yaml": REWRITTEN.replace(
        '"feature": "bot"', '"feature": "assistant"').replace('"answer"', '"reply"'), "prompts/system.j2": GROWN},
           exit=0, expect="no longer gated",
           note="documented limit: a spec deleted and an unrelated-looking one added are a removed feature "
                "(warning) and a new one (held to the new-feature limits, which 4,000 tokens pass)"),
    bypass("rename-out-of-globs-and-break", {SPEC: None, "bot.costgate.yml": spec() + "unknown_key: 1\n",
                                             "prompts/system.j2": GROWN}, exit=2, expect="unknown key"),
    bypass("head-spec-invalid-yaml", {SPEC: "version: 1\nfeature: [\n"}, exit=2, expect="invalid YAML"),
    bypass("head-spec-unknown-model", grow(**{SPEC: spec(model="gpt-9-free")}), exit=2, expect="unknown model"),
    bypass("head-template-undefined", {"prompts/system.j2": GROWN + "{{ nope }}"}, exit=2, expect="undefined"),
    bypass("head-duplicate-feature-id", grow(**{"copy.costgate.yaml": spec()}), exit=2, expect="declared twice"),

    # -- the base's per-feature and per-call thresholds follow the renamed feature --------
    bypass("base-feature-override-follows-renamed-id", {SPEC: spec(feature="bot2"), "prompts/system.j2": hello(300)},
           base=gate_base({"costgate.yaml": LOOSE + "features:\n  bot: {system_prompt_growth: {percent: 5, tokens: 50}}\n"})),
    bypass("base-call-override-follows-renamed-call", {SPEC: spec(name="reply"), "prompts/system.j2": hello(300)},
           base=gate_base({"costgate.yaml": LOOSE + "features:\n  bot:\n    calls:\n"
                                                    "      answer: {system_prompt_growth: {percent: 5, tokens: 50}}\n"})),
    bypass("base-feature-override-follows-moved-spec", {SPEC: None, "llm/x.costgate.yaml": spec(
        feature="bot2", system="{file: ../prompts/system.j2}", samples="{file: ../queries.txt}"),
        "prompts/system.j2": hello(300)},
           base=gate_base({"costgate.yaml": LOOSE + "features:\n  bot: {system_prompt_growth: {percent: 5, tokens: 50}}\n"})),

    # -- new features: absolute limits -------------------------------------------------------
    bypass("new-feature-over-8000-tokens", new_feature("big", tokens=9000), expect=NEW_TOKENS),
    bypass("new-feature-over-8000-tokens-json", new_feature("big", tokens=9000), fmt="json",
           expect='"threshold": "new_feature_system_prompt_tokens"'),
    bypass("new-feature-over-10000-usd", new_feature("busy", sessions=20_000_000), expect=NEW_USD),
    bypass("new-feature-over-10000-usd-json", new_feature("busy", sessions=20_000_000), fmt="json",
           expect='"threshold": "new_feature_monthly_usd"'),
    bypass("new-feature-head-config-raises-limits", {**new_feature("big", tokens=9000), "costgate.yaml": LOOSE},
           expect=NEW_TOKENS),
    bypass("new-feature-base-thresholds-without-new-feature", new_feature("big", tokens=9000), expect=NEW_TOKENS,
           base=gate_base({"costgate.yaml": "thresholds:\n  monthly_cost_increase: {percent: 50}\n"})),
    bypass("new-feature-approximate-model", new_feature("big", tokens=9000, model="claude-sonnet-4-5"),
           expect=NEW_TOKENS),
    bypass("new-feature-in-new-folder", {f"deep/er/{k}": v for k, v in new_feature("big", tokens=9000).items()}
           | {"deep/er/big.costgate.yaml": spec(feature="big", system="{file: prompts/big.j2}")}
           | {"deep/er/queries.txt": QUERIES}, expect=NEW_TOKENS),

    # -- CI entry points ----------------------------------------------------------------------
    bypass("check-with-event-base", grow(), argv=CHECK, setup=_event,
           env={"GITHUB_EVENT_PATH": "@TMP@/event.json", "GITHUB_BASE_REF": ""}),
    bypass("check-with-base-ref", grow(), argv=CHECK, setup=_origin_main,
           env={"GITHUB_EVENT_PATH": "", "GITHUB_BASE_REF": "main"}),
    bypass("check-in-github-actions-annotates", grow(), argv=CHECK, setup=_event,
           env={"GITHUB_EVENT_PATH": "@TMP@/event.json", "GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": ""},
           expect="re:(?m)^::error .*title=costgate system_prompt_growth::"),

    # -- the grown prompt kept in another kind of file (docs/spec.md, "Where prompts can live")
    bypass("grown-under-a-yaml-key", {SPEC: spec(system="{file: prompts/agent.yaml, key: agent.system}"),
                                      "prompts/agent.yaml": f'agent:\n  system: "{GROWN}"\n'}),
    bypass("grown-in-a-python-constant", {SPEC: spec(system="{file: app/prompts.py, symbol: Prompts.SYSTEM}"),
                                          "app/prompts.py": f"class Prompts:\n    SYSTEM = {GROWN!r}\n"}),
    bypass("grown-through-a-python-name", {SPEC: spec(system="{file: app/prompts.py, symbol: SYSTEM}"),
                                           "app/prompts.py": f"EXTRA = {GROWN!r}\nSYSTEM = 'Be brief.' + EXTRA\n"}),
    bypass("grown-in-a-prompty-system-section",
           {SPEC: spec(system=None, call="    prompt: {file: prompts/chat.prompty}"),
            "prompts/chat.prompty": f"---\nname: bot\n---\nsystem:\n{GROWN}\n"}),
    bypass("grown-in-a-prompty-few-shot",
           {SPEC: spec(system=None, call="    prompt: {file: prompts/chat.prompty}").replace('    user: "{{ query }}"\n',
                                                                                          ""),
            "prompts/chat.prompty": f"---\n---\nsystem:\nBe brief.\nuser:\n{GROWN}\nassistant:\nok\n"
                                    "user:\n{{ query }}\n"}),
    # -- growth moved into a template the prompt includes ------------------------------------
    bypass("grown-included-partial", {"prompts/part.j2": GROWN},
           base=gate_base({"prompts/system.j2": '{% include "part.j2" %}', "prompts/part.j2": hello(200)})),
    bypass("grown-partial-newly-included", {"prompts/system.j2": hello(200) + '{% include "part.j2" %}',
                                            "prompts/part.j2": GROWN}),
    bypass("grown-partial-behind-ignore-missing", {"prompts/part.j2": GROWN},
           base=gate_base({"prompts/system.j2": hello(200) + '{% include "part.j2" ignore missing %}'}),
           note="the partial is absent at base and appears at head: the spec has no cache key, so it is re-read"),
    bypass("grown-base-template-of-extends", {"prompts/base.j2": "{% block b %}{% endblock %}" + GROWN},
           base=gate_base({"prompts/system.j2": '{% extends "base.j2" %}{% block b %}x{% endblock %}',
                           "prompts/base.j2": "{% block b %}{% endblock %}" + hello(200)})),
    bypass("grown-partial-uncommitted", {"prompts/part.j2": GROWN}, argv=DIFF, commit_head=False,
           base=gate_base({"prompts/system.j2": '{% include "part.j2" %}', "prompts/part.j2": hello(200)})),
]

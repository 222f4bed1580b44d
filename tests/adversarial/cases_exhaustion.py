"""D. Resource exhaustion: templates that expand forever, absurd traffic, huge files.

Each bound of ``costgate.limits.WorkLimits`` turns such input into exit 2 naming the
limit (``rendered_chars``, ``render_seconds``, ``turns_per_session``, ``tail_users``,
``file_bytes``, ...), with a hint on how to raise it; input that is large but bounded
(a 1,000-turn session, 1M blanks counted exactly, 100M users in closed form) is exit 0.
The cases that could take the machine down if a bound were missing run in a child
process under the 3 GiB cap and a timeout (``child=True``, marked slow).
"""

from __future__ import annotations

import json

from adversarial.harness import ESTIMATE, Case, Lazy, Result, files, peak_below, spec
from helpers import hello

CHARS = "rendered_chars"
INT_BITS = "re:bits|rendered_chars"


def t(id: str, template: str, expect: str = CHARS, exit: int = 2, **kw) -> Case:
    """An inline system template (a YAML single-quoted string) rendered over the samples."""
    return Case(f"D-{id}", ESTIMATE, exit, expect,
                files=files(spec_text=spec(system="'" + template.replace("'", "''") + "'")), **kw)


def s(id: str, exit: int, expect: str, spec_text: str, extra=None, **kw) -> Case:
    return Case(f"D-{id}", ESTIMATE, exit, expect, files=files(extra, spec_text=spec_text), **kw)


def tokens(expected: int):
    def check(result: Result) -> None:
        assert result.out.strip() == str(expected), f"counted {result.out.strip()!r}, exactly {expected} expected"
    return check


def shows(text: str):
    def check(result: Result) -> None:
        assert text in result.out, f"{text!r} not in the report"
    return check


def tok_case(id: str, make, expected: int, **kw) -> Case:
    return Case(f"D-tokens-{id}", ("tokens", "@REPO@/input.txt"), 0, "", files={"input.txt": Lazy(make, id)},
                check=tokens(expected), **kw)


MB = 1_000_000
PEAK = 600
"""MB a child may peak at: costgate itself needs ~150; a refused 1 GB value must never be built."""


def big(id: str, template: str) -> Case:
    """Large but bounded output (under rendered_chars) on a model whose window holds it: exit 0."""
    return Case(f"D-{id}", ESTIMATE, 0, "bot",
                files=files(spec_text=spec(model="gpt-4.1", system="'" + template.replace("'", "''") + "'")),
                note="under rendered_chars and the model's context window: exit 0")


BIG = "re:file_bytes|larger than"

CASES: list[Case] = [
    # -- templates that build huge strings ----------------------------------------------
    t("str-times-1e8", "{{ 'x' * 10**8 }}"),
    t("str-times-chained", "{{ ('x' * 999999) * 999999 }}"),
    t("str-times-variable", "{% set n = 10**8 %}{{ 'ab' * n }}"),
    t("list-times-1e8", "{{ ['x'] * 10**8 }}"),
    t("list-of-big-strings", "{{ ['x' * 999999] * 900 }}", child=True, timeout=60, check=peak_below(PEAK)),
    t("list-literal-repeat", "{{ range(100000)|list * 100 }}"),
    t("nested-range-with-output", "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"),
    t("range-too-big", "{{ range(10**9)|list }}", "re:(?i)range"),
    t("lipsum-removed", "{{ lipsum(10**6) }}", "lipsum"),
    t("power-tower", "{{ 9**(9**9) }}", INT_BITS),
    t("power-product", "{{ 2**4000 * 2**4000 }}", INT_BITS),
    t("int-string-repeat", "{{ (10**1000)|string * 1000 }}"),
    t("format-width", "{{ '{:>999999999}'.format(1) }}"),
    t("format-nested-width", "{{ '{:>{w}}'.format(1, w=999999999) }}"),
    t("format-positional-width", "{{ '{:>{}}'.format(1, 10**9) }}"),
    t("format-map-width", "{{ '{a:>999999999}'.format_map({'a': 1}) }}"),
    t("percent-width", "{{ '%999999999s' % 'a' }}"),
    t("percent-precision", "{{ '%.999999999f' % 1.5 }}"),
    t("percent-star-width", "{{ '%*s' % (999999999, 'a') }}", child=True, timeout=60, check=peak_below(PEAK)),
    t("format-filter-width", "{{ '%900000000d'|format(1) }}", child=True, timeout=60, check=peak_below(PEAK)),
    t("center-filter", "{{ 'a'|center(10**9) }}"),
    t("center-method", "{{ 'a'.center(10**9) }}"),
    t("ljust-method", "{{ 'a'.ljust(999999999) }}"),
    t("zfill-method", "{{ 'a'.zfill(999999999) }}"),
    t("expandtabs-method", "{{ ('\t' * 1000).expandtabs(999999) }}", child=True, timeout=60, check=peak_below(PEAK)),
    t("indent-filter", "{{ ('x\n' * 400000)|indent(999999) }}", "re:rendered_chars|context window", child=True,
      timeout=60, check=peak_below(PEAK)),
    t("replace-filter", "{{ ('x' * 1000)|replace('x', 'y' * 10000) }}"),
    t("replace-method", "{{ ('x' * 1000).replace('x', 'y' * 10000) }}"),
    t("replace-empty-old", "{{ ('x' * 100000).replace('', 'abc' * 100) }}"),
    t("join-filter", "{{ ('a' * 1000000)|join('b' * 1000) }}"),
    t("join-method", "{{ ('b' * 1000).join('a' * 1000000) }}"),
    t("plus-doubling-loop", "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
                            "{% endfor %}{{ ns.s|length }}"),
    t("tilde-doubling-loop", "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
                             "{% endfor %}{{ ns.s|length }}", child=True, timeout=60, check=peak_below(PEAK)),
    t("recursive-macro", "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "re:recurs"),
    t("recursive-macro-doubling", "{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('x') }}",
      "re:rendered_chars|recurs|allocated", child=True, timeout=60, check=peak_below(PEAK)),
    t("deep-parentheses", "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "re:(?i)nest|recurs|template"),
    t("deep-list-literal", "{{ " + "[" * 5000 + "]" * 5000 + " }}", "re:(?i)nest|recurs|template"),
    t("long-sum-expression", "{{ " + "1+" * 100000 + "1 }}", "re:(?i)nest|recurs|template"),
    t("deep-if-nesting", "{% if 1 %}" * 3000 + "x" + "{% endif %}" * 3000, "re:(?i)nest|recurs|template"),
    t("int-from-5000-digit-string", "{{ ('9' * 5000)|int }}", "bot", exit=0,
      note="the int filter falls back to its default on a number too long: exit 0"),
    Case("D-silent-nested-loops-render-seconds", ESTIMATE, 2, "render_seconds limit of 1 s",
         files=files({"costgate.yaml": "limits: {render_seconds: 1}\n"}, spec_text=spec(
             system="'{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}'")),
         child=True, timeout=60, note="no output to cap: the render timer stops it (10 s by default; 1 s here, "
                                      "from the config's limits, to keep the suite fast)"),
    t("float-overflow-is-inf", "{{ 1e308 * 10 }}", "bot", exit=0, note="inf renders as text: bounded, exit 0"),
    big("bounded-big-loop", "{% for i in range(100000) %}{{ i }}{% endfor %}"),
    big("bounded-join", "{{ range(100000)|list|join(',') }}"),
    t("exactly-at-rendered-chars", "{{ 'x' * 1000000 }}", "bot", exit=0, note="1,000,000 is the limit, not over it"),
    t("one-over-rendered-chars", "{{ 'x' * 1000001 }}"),

    # -- includes: read once each, bounded in depth and count, rendered under the same bounds --
    s("include-self", 2, "re:cycle: prompts/system.j2 -> prompts/system.j2", spec(),
      {"prompts/system.j2": '{% include "system.j2" %}'}),
    s("include-cycle-of-two", 2, "cycle", spec(), {"prompts/system.j2": '{% include "a.j2" %}',
                                                   "prompts/a.j2": '{% import "system.j2" as s %}'}),
    s("include-chain-too-deep", 2, "deep", spec(), {"prompts/system.j2": '{% include "p0.j2" %}',
                                                    **{f"prompts/p{i}.j2": f'{{% include "p{i + 1}.j2" %}}'
                                                       for i in range(40)}, "prompts/p40.j2": "end"}),
    s("include-too-many-files", 2, "files", spec(), {"prompts/system.j2": "".join(
        f'{{% include "p{i}.j2" %}}' for i in range(150)), **{f"prompts/p{i}.j2": "x" for i in range(150)}}),
    s("include-doubling-diamond", 2, CHARS, spec(), {
        "prompts/system.j2": '{% include "p0.j2" %}',
        **{f"prompts/p{i}.j2": f'{{% include "p{i + 1}.j2" %}}{{% include "p{i + 1}.j2" %}}' for i in range(30)},
        "prompts/p30.j2": "x" * 1000}, note="30 files read once each; 2**30 renders stopped at rendered_chars"),
    s("include-file-over-file-bytes", 2, BIG, spec(), {"prompts/system.j2": '{% include "big.j2" %}',
                                                       "prompts/big.j2": Lazy(lambda: "x" * 5_000_001, "5 MB + 1")}),

    # -- absurd traffic and sessions ------------------------------------------------------
    s("per-session-100000", 2, "turns_per_session", spec(per_session="100000")),
    s("per-session-1000-and-a-half", 2, "turns_per_session", spec(per_session="1000.5")),
    s("per-session-1000-full-history", 0, "bot", spec(per_session="1000", call="    history: full"),
      note="at the turns_per_session limit: 1,000 turns priced, exit 0"),
    s("per-session-1000-turn-template", 0, "bot", spec(per_session="1000", system="'turn {{ turn }}'"),
      note="a template using turn renders once per turn: 1,000 renders, exit 0"),
    s("sessions-1e15-as-text", 2, "must be a number", spec(traffic="{sessions_per_day: 1e15}")),
    s("sessions-10-to-the-15", 2, "sessions_per_day", spec(traffic="{sessions_per_day: 1000000000000000}")),
    s("sessions-at-maximum", 0, "bot", spec(traffic="{sessions_per_day: 1000000000}")),
    s("users-billion-zipf", 2, "tail_users",
      spec(traffic="{sessions_per_day: 1000, users: {count: 1000000000, zipf: 1.1}}")),
    s("users-at-limit-zipf", 0, "bot", spec(traffic="{sessions_per_day: 1000, users: {count: 100000000, zipf: 1.1}}"),
      note="100M users: the Zipf tails come from a closed form, exit 0 in well under the timeout"),
    s("users-at-limit-heavy", 0, "bot", spec(traffic="{sessions_per_day: 1000, users: {count: 100000000, "
                                                "heavy_user_share: 0.01, heavy_user_multiplier: 1000}}")),
    s("output-tokens-1e11", 2, "output_tokens", spec(output="100000000000")),
    s("output-tokens-at-maximum", 0, "bot", spec(output="10000000")),
    s("history-window-huge", 0, "bot", spec(per_session="1000", call="    history: {window: 1000000}")),
    s("history-tokens-huge", 2, "history", spec(call="    history: {tokens: 100000000000}")),
    s("summary-every-huge", 2, "every", spec(call="    history: {summary: {every: 100000000, tokens: 10}}")),
    s("calls-per-hour-huge", 2, "calls_per_user_per_hour",
      spec(traffic="{sessions_per_day: 1000, users: {count: 10}}",
           top="limits: {calls_per_user_per_hour: 1000000000000}")),
    s("budget-huge", 2, "monthly_usd", spec(top="budget: {monthly_usd: 10000000000000000}")),

    # -- huge and endless files -------------------------------------------------------------
    s("template-10MB", 2, BIG, spec(), {"prompts/system.j2": Lazy(lambda: "x " * (5 * MB), "10 MB")}),
    s("template-4MB-plain-text", 2, CHARS, spec(), {"prompts/system.j2": Lazy(lambda: "word " * 800_000, "4 MB")}),
    s("spec-3MB-comment", 2, BIG, spec() + "#" + "x" * (3 * MB) + "\n"),
    s("spec-6MB", 2, BIG, spec() + "#" + "x" * (6 * MB) + "\n"),
    s("sample-row-4MB", 2, CHARS, spec(samples="{file: rows.jsonl}"),
      {"rows.jsonl": Lazy(lambda: json.dumps({"query": "y " * (2 * MB)}) + "\n", "4 MB row")}),
    s("price-layer-6MB", 2, BIG, spec(), {"costgate.yaml": "pricing: [prices]\n",
                                          "prices/openai.yaml": Lazy(lambda: "#" + "x" * (6 * MB) + "\n", "6 MB")}),
    s("config-6MB", 2, BIG, spec(), {"costgate.yaml": Lazy(lambda: "#" + "x" * (6 * MB) + "\n", "6 MB")}),
    Case("D-samples-2M-lines", ESTIMATE, 0, "a uniform sample of the file's 2,000,000 rows",
         files=files({"queries.txt": Lazy(lambda: "".join(f"q{i}\n" for i in range(2_000_000)), "2M lines")}),
         child=True, timeout=60, note="over sample_rows (100,000): a seeded reservoir, and the report says so"),
    Case("D-samples-over-sample-bytes", ESTIMATE, 2, "re:sample_bytes|file_bytes",
         files=files({"queries.txt": Lazy(lambda: ("q" * 99 + "\n") * 1_010_000, "101 MB")}), child=True, timeout=60),
    Case("D-dev-zero-cli-price-layer", ESTIMATE + ("--pricing", "/dev/zero"), 2, "re:not a regular file|file_bytes",
         files=files(), child=True, timeout=60),
    Case("D-dev-zero-tokens", ("tokens", "/dev/zero"), 2, "re:not a regular file|tokens_input_bytes",
         files={}, child=True, timeout=60),
    Case("D-dev-urandom-tokens", ("tokens", "/dev/urandom"), 2, "re:not a regular file|tokens_input_bytes|UTF-8",
         files={}, child=True, timeout=60),
    Case("D-tokens-over-input-bytes", ("tokens", "@REPO@/big.txt"), 2, "tokens_input_bytes",
         files={"big.txt": Lazy(lambda: "hello " * 9_000_000, "54 MB")}, child=True, timeout=60),

    # -- pathological whitespace: counted exactly -----------------------------------------------
    tok_case("1M-spaces", lambda: " " * MB, 7813),
    tok_case("1M-tabs", lambda: "\t" * MB, 62500),
    tok_case("1M-newlines", lambda: "\n" * MB, 62500),
    tok_case("space-tab-alternating", lambda: " \t" * (MB // 2), 499999),
    tok_case("1M-spaces-then-word", lambda: " " * MB + "hello", 7814),
    s("template-1M-spaces", 0, "bot", spec(), {"prompts/system.j2": Lazy(lambda: " " * MB, "1M spaces")},
      check=shows("7,813")),
    s("template-1M-tabs", 0, "bot", spec(), {"prompts/system.j2": Lazy(lambda: "\t" * MB, "1M tabs")},
      check=shows("62,500")),
    s("template-1M-newlines", 0, "bot", spec(), {"prompts/system.j2": Lazy(lambda: "\n" * MB, "1M newlines")},
      check=shows("62,501"), note="Jinja drops the last newline: 999,999 newlines are 62,501 o200k tokens "
                                  "(99,999 are 6,251 by tiktoken itself)"),
    s("sample-1M-spaces", 0, "bot", spec(samples="{file: rows.jsonl}"),
      {"rows.jsonl": Lazy(lambda: json.dumps({"query": " " * (MB - 10) + "x"}) + "\n", "1M spaces row")},
      check=shows("7,8")),
    s("template-1M-ideographic-spaces", 0, "bot", spec(),
      {"prompts/system.j2": Lazy(lambda: "\u3000" * 300_000, "300k U+3000")}),
    s("template-long-punctuation-run", 0, "bot", spec(), {"prompts/system.j2": Lazy(lambda: "!" * MB, "1M !")}),
    Case("D-estimate-1M-spaces-prompt-json", ESTIMATE + ("--format", "json"), 0, '"system_prompt_tokens": 7813',
         files=files(prompt=Lazy(lambda: " " * MB, "1M spaces"))),
    Case("D-prompt-hello-100k", ESTIMATE, 0, "100,000", files=files(prompt=Lazy(lambda: hello(100_000), "100k"))),
    Case("D-many-sessions-monte-carlo", ESTIMATE + ("--sessions", "1000000"), 0, "bot", files=files(),
         child=True, timeout=60, note="the CLI's maximum Monte Carlo draws: bounded, exit 0"),
    Case("D-as-of-far-future", ("estimate", "@REPO@/bot.costgate.yaml", "--as-of", "9999-12-31"), 0, "bot",
         files=files()),
    Case("D-seed-huge", ESTIMATE + ("--seed", "9" * 4000), 0, "bot", files=files()),

    # -- prompts inside other files: the same bounds
    s("yaml-key-file-3MB", 2, BIG, spec(system="{file: p.yaml, key: a}"),
      {"p.yaml": Lazy(lambda: "a: " + "x" * (3 * MB) + "\n", "3 MB")}),
    s("prompty-6MB", 2, BIG, spec(system=None, call="    prompt: {file: c.prompty}"),
      {"c.prompty": Lazy(lambda: "---\n---\nsystem:\n" + "x " * (3 * MB), "6 MB")}),
    s("python-doubling-constants", 2, "longer than", spec(system="{file: app.py, symbol: B60}"),
      {"app.py": "B0 = 'xx'\n" + "".join(f"B{i + 1} = B{i} + B{i}\n" for i in range(60))}),
    s("python-doubling-augmented", 2, "longer than", spec(system="{file: app.py, symbol: B}"),
      {"app.py": "B = 'xx'\n" + "B += B\n" * 60}),
]

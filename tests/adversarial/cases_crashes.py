"""E. Crashes: whatever the input, a message and exit 2, never 3 ("a bug") or a traceback.

Deep nesting, numbers beyond every range, invalid dates, NUL bytes, malformed CI event
files, unwritable report paths, binary input to ``costgate tokens``, YAML 1.1 literals,
models used where they do not belong, merge keys and alias bombs, and the Jinja2 errors
a template can raise. Some inputs here must WORK (exit 0): CRLF line endings, a UTF-8
BOM, U+2028 inside a JSON Lines string, a few honest YAML aliases.
"""

from __future__ import annotations

import json

from adversarial.harness import (
    DIFF,
    ESTIMATE,
    Case,
    Dir,
    Fifo,
    Lazy,
    files,
    gate_base,
    prices_file,
    spec,
)
from helpers import AS_OF, git, hello

BOM = "\ufeff"
NESTED = "re:nested|deep"
NOT_NUMBER = "must be a number"
CHECK = ("check", "-C", "@REPO@", "--as-of", AS_OF)
NO_BASE = "no base ref"


def est(id: str, exit: int, expect: str, spec_text: str | None = None, extra=None, *, argv=ESTIMATE, **kw) -> Case:
    return Case(f"E-{id}", argv, exit, expect, files=files(extra, spec_text=spec_text), **kw)


def bad(id: str, expect: str, spec_text: str, extra=None, **kw) -> Case:
    """A spec the loader must refuse with a message (exit 2)."""
    return est(id, 2, expect, spec_text, extra, **kw)


def ok(id: str, spec_text: str | None = None, extra=None, **kw) -> Case:
    """Input that must work (exit 0)."""
    return est(id, 0, kw.pop("expect", "bot"), spec_text, extra, **kw)


def jinja(id: str, template: str, expect: str, exit: int = 2, **kw) -> Case:
    return est(id, exit, expect, spec(system="'" + template.replace("'", "''") + "'"), **kw)


def layer(id: str, text: str | bytes, expect: str, exit: int = 2, name: str = "openai.yaml", **kw) -> Case:
    """A repository price layer (``pricing: [prices]`` in costgate.yaml)."""
    return est(id, exit, expect, None, {"costgate.yaml": "pricing: [prices]\n", f"prices/{name}": text}, **kw)


def config(id: str, text: str | bytes, expect: str, exit: int = 2, name: str = "costgate.yaml", **kw) -> Case:
    return est(id, exit, expect, None, {name: text}, **kw)


def event(id: str, content, expect: str = NO_BASE, exit: int = 2, **kw) -> Case:
    """``costgate check`` with GITHUB_EVENT_PATH naming ``content`` (None: no such file)."""
    extra = {} if content is None else {"event.json": content}
    env = {"GITHUB_EVENT_PATH": "@REPO@/event.json", "GITHUB_BASE_REF": "", **kw.pop("env", {})}
    return Case(f"E-event-{id}", CHECK, exit, expect, files=extra, base=gate_base(), env=env, **kw)


def tokens(id: str, content: str | bytes, exit: int, expect: str, *args: str, **kw) -> Case:
    return Case(f"E-tokens-{id}", ("tokens", *args, "@REPO@/input.txt"), exit, expect, files={"input.txt": content},
                **kw)


def messages(id: str, content: str | bytes, exit: int = 2, expect: str = "re:messages|JSON", **kw) -> Case:
    return tokens(f"messages-{id}", content, exit, expect, "--messages", **kw)


def output(id: str, target: str, argv=ESTIMATE, expect: str = "cannot write", **kw) -> Case:
    return Case(f"E-output-{id}", argv + ("-o", target), 2, expect, files=files(), **kw)


PRICE = prices_file("gpt-4o")
PRICE_RANGE = r"re:out of range|too large|too long|overflow|over [0-9,]+ USD"
LAYER_SPEC = spec(model="acme-1")
ACME = prices_file("acme-1", provider="acme")


def acme(id: str, old: str, new: str, expect: str, exit: int = 2, **kw) -> Case:
    """The acme price layer with one edit; the spec prices acme-1 with it."""
    assert old in ACME, old
    return est(id, exit, expect, LAYER_SPEC, {"costgate.yaml": "pricing: [prices]\n",
                                              "prices/acme.yaml": ACME.replace(old, new, 1)}, **kw)


def ratio(id: str, value: str, **kw) -> Case:
    """acme-1 counted with an approximate tokenizer family whose ratio is ``value``."""
    text = ACME.replace("tokenizer: o200k_base\n", "tokenizer: fam\n").replace(
        "models:\n", f'tokenizers:\n  fam: {{base: o200k_base, ratio: "{value}", source: x}}\nmodels:\n')
    return est(id, 2, "re:ratio|out of range|too large", LAYER_SPEC,
               {"costgate.yaml": "pricing: [prices]\n", "prices/acme.yaml": text}, **kw)


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


BILLION_LAUGHS = "vars:\n  a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  {chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))

CASES: list[Case] = [
    # -- nesting -------------------------------------------------------------------------
    bad("yaml-nested-lists-10000", NESTED, spec(top="vars: {x: " + "[" * 10000 + "]" * 10000 + "}")),
    bad("yaml-nested-maps-10000", NESTED, spec(top="vars: {x: " + "{a: " * 10000 + "1" + "}" * 10000 + "}")),
    bad("yaml-nested-block-200", NESTED, spec(top="vars:\n" + "".join("  " * (i + 1) + f"k{i}:\n"
                                                                     for i in range(200)) + "  " * 201 + "v: 1")),
    config("yaml-nested-config", "features: " + "[" * 10000 + "]" * 10000 + "\n", NESTED),
    layer("yaml-nested-price-layer", PRICE + "tokenizers: " + "{a: " * 10000 + "1" + "}" * 10000 + "\n", NESTED),
    config("toml-nested-arrays", "[tool.costgate]\nspecs = " + "[" * 10000 + "]" * 10000 + "\n",
           "re:nested|deep|TOML", name="pyproject.toml"),
    bad("jsonl-nested-lists", NESTED, spec(samples="{file: rows.jsonl}"),
        {"rows.jsonl": '{"query": ' + "[" * 100000 + "]" * 100000 + "}\n"}),
    bad("jsonl-nested-objects", NESTED, spec(samples="{file: rows.jsonl}"),
        {"rows.jsonl": '{"query": ' + '{"a": ' * 100000 + "1" + "}" * 100000 + "}\n"}),

    # -- YAML features and encodings ----------------------------------------------------
    bad("yaml-merge-key", "merge keys", spec(top="vars:\n  base: &b {x: 1}\n  more:\n    <<: *b\n    y: 2")),
    bad("yaml-billion-laughs", "aliases", spec(top=BILLION_LAUGHS.rstrip("\n"))),
    ok("yaml-a-few-aliases", spec(top="vars:\n  a: &a hello\n  b: *a\n  c: *a")),
    bad("yaml-recursive-alias", "re:alias|invalid YAML|nested", spec(top="vars: &a {x: *a}")),
    bad("yaml-duplicate-key-spec", "duplicate key", spec() + "feature: other\n"),
    config("yaml-duplicate-key-config", "specs: ['a']\nspecs: ['b']\n", "duplicate key"),
    layer("yaml-duplicate-key-price", PRICE + "provider: openai\n", "duplicate key"),
    bad("yaml-tab-indentation", "invalid YAML", spec().replace("    model: gpt-4o", "\tmodel: gpt-4o")),
    bad("yaml-multi-document", "re:single document|invalid YAML", spec() + "---\n" + spec()),
    bad("yaml-spec-is-a-list", "must be a mapping", "- version: 1\n"),
    bad("yaml-spec-is-a-scalar", "must be a mapping", "hello\n"),
    bad("yaml-spec-empty", "spec is empty", ""),
    bad("yaml-spec-comments-only", "spec is empty", "# nothing\n# here\n"),
    bad("yaml-complex-key", "re:keys must be|plain strings", spec(top="? [a, b]\n: 1")),
    bad("yaml-python-tag", "re:tag|unsupported", spec(top='description: !!python/object/apply:os.system ["id"]')),
    bad("yaml-python-tag-scalar", "re:tag|unsupported", spec(top="description: !!python/name:os.system ''")),
    bad("yaml-custom-tag-mapping", "re:tag|unsupported", spec(top="vars: !custom {a: 1}")),
    bad("yaml-binary-tag", "re:tag|unsupported", spec(top="description: !!binary aGVsbG8=")),
    bad("yaml-custom-tag", "re:tag|unsupported", spec().replace("feature: bot", "feature: !bot bot")),
    bad("yaml-str-tag-number", NOT_NUMBER, spec(per_session="!!str 1")),
    bad("yaml-raw-nul-byte", "invalid YAML", spec() + "description: a\x00b\n"),
    est("yaml-invalid-utf8", 2, "UTF-8", None, {"bot.costgate.yaml": b"version: 1\n\xff\xfe\n"}),
    est("yaml-utf16", 2, "UTF-8", None, {"bot.costgate.yaml": spec().encode("utf-16")}),
    ok("yaml-bom", None, {"bot.costgate.yaml": BOM + spec()}),
    ok("yaml-crlf", None, {"bot.costgate.yaml": crlf(spec())}),
    ok("yaml-bom-crlf", None, {"bot.costgate.yaml": BOM.encode() + crlf(spec())}),
    ok("config-bom-crlf", None, {"costgate.yaml": BOM.encode() + crlf("specs: ['**/*.costgate.yaml']\n")}),
    ok("price-layer-crlf", None, {"costgate.yaml": "pricing: [prices]\n", "prices/openai.yaml": crlf(PRICE)}),
    ok("price-layer-bom", None, {"costgate.yaml": "pricing: [prices]\n", "prices/openai.yaml": BOM + PRICE}),
    ok("pyproject-crlf", None, {"pyproject.toml": crlf("[tool.costgate]\nspecs = ['**/*.costgate.yaml']\n")}),
    ok("pyproject-bom", None, {"pyproject.toml": BOM + "[tool.costgate]\nspecs = ['**/*.costgate.yaml']\n"}),
    ok("template-crlf", None, {"prompts/system.j2": crlf("You are helpful.\nBe brief.\n{{ query }}\n")}),
    ok("template-bom", None, {"prompts/system.j2": BOM + "You are helpful."}),
    ok("samples-txt-crlf", None, {"queries.txt": crlf("hi there\nhow are you\n")}),
    ok("samples-txt-bom", None, {"queries.txt": BOM + "hi there\nhow are you\n"}),
    ok("samples-jsonl-crlf", spec(samples="{file: rows.jsonl}"),
       {"rows.jsonl": crlf('{"query": "a"}\n{"query": "b"}\n')}),
    ok("samples-jsonl-bom", spec(samples="{file: rows.jsonl}"), {"rows.jsonl": BOM + '{"query": "a"}\n'}),
    ok("samples-jsonl-u2028-escaped", spec(samples="{file: rows.jsonl}"),
       {"rows.jsonl": '{"query": "a\\u2028b"}\n{"query": "c"}\n'}),
    ok("samples-jsonl-u2028-raw", spec(samples="{file: rows.jsonl}"),
       {"rows.jsonl": '{"query": "a\u2028b\u2029c\u0085d"}\n{"query": "e"}\n'}),
    ok("samples-txt-u2028", None, {"queries.txt": "a\u2028b\nc\u0085d\n"}),
    ok("samples-jsonl-blank-lines", spec(samples="{file: rows.jsonl}"), {"rows.jsonl": '\n\n{"query": "a"}\n\n'}),
    bad("samples-jsonl-not-object", "JSON object", spec(samples="{file: rows.jsonl}"), {"rows.jsonl": "[1, 2]\n"}),
    bad("samples-jsonl-invalid", "invalid JSON", spec(samples="{file: rows.jsonl}"), {"rows.jsonl": "{\n"}),
    bad("samples-jsonl-raw-nul", "invalid JSON", spec(samples="{file: rows.jsonl}"),
        {"rows.jsonl": '{"query": "a\x00b"}\n'}),
    bad("samples-jsonl-long-int", "re:too long|number", spec(samples="{file: rows.jsonl}"),
        {"rows.jsonl": '{"query": "a", "n": ' + "1" * 5000 + "}\n"}),
    ok("samples-jsonl-huge-float", spec(samples="{file: rows.jsonl}"),
       {"rows.jsonl": '{"query": "a", "n": 1e999999, "m": NaN}\n'}, note="inf and NaN are values a row may hold"),
    ok("samples-jsonl-lone-surrogate", spec(samples="{file: rows.jsonl}"), {"rows.jsonl": '{"query": "a\\ud800b"}\n'},
       note="JSON may escape a lone surrogate: the row is read and counted (exit 0)"),
    bad("samples-empty", "no samples", None, {"queries.txt": ""}),
    bad("samples-blank-lines-only", "no samples", None, {"queries.txt": "\n  \n\t\n"}),
    bad("samples-jsonl-empty", "no samples", spec(samples="{file: rows.jsonl}"), {"rows.jsonl": ""}),
    bad("samples-binary", "UTF-8", None, {"queries.txt": bytes(range(128, 256))}),
    bad("samples-wrong-extension", "must end in .txt or .jsonl", spec(samples="{file: queries.csv}"),
        {"queries.csv": "a\n"}),
    bad("samples-not-a-mapping", "must be a mapping", spec(samples="queries.txt")),
    bad("samples-file-not-a-string", "re:file|must", spec(samples="{file: [a, b]}")),
    ok("template-empty", None, {"prompts/system.j2": ""}),
    ok("template-nul-byte", None, {"prompts/system.j2": "a\x00b"}, note="NUL is valid UTF-8 text: counted, exit 0"),
    ok("samples-nul-byte", None, {"queries.txt": "a\x00b\nc\n"}, note="NUL is valid UTF-8 text: counted, exit 0"),
    ok("samples-jsonl-escaped-nul", spec(samples="{file: rows.jsonl}"), {"rows.jsonl": '{"query": "a\\u0000b"}\n'}),
    bad("template-not-utf8", "UTF-8", None, {"prompts/system.j2": b"\xc3\x28 bad"}),
    bad("template-file-not-a-string", "path string", spec(system="{file: 5}")),
    bad("template-not-a-mapping", "must be a mapping", spec(system="5")),
    bad("nul-in-template-path", "re:control characters|leaves|NUL", spec(system='{file: "prompts/system.j2\\0x"}')),
    bad("nul-in-samples-path", "re:control characters|leaves|NUL", spec(samples='{file: "queries\\0.txt"}')),
    config("nul-in-glob", 'specs: ["a\\0b"]\n', "re:control characters|leaves|NUL",
           argv=("estimate", "@REPO@", "--as-of", AS_OF)),
    config("nul-in-price-layer-path", 'pricing: ["a\\0b"]\n', "re:control characters|leaves|NUL"),
    est("nul-in-cli-path", 2, "re:no such file|NUL", None, argv=("estimate", "@REPO@/bot\x00.costgate.yaml", "--as-of", AS_OF)),
    est("nul-in-as-of", 2, "--as-of", None, argv=ESTIMATE + ("--as-of", "2026\x0011-01")),

    # -- numbers ----------------------------------------------------------------------------
    bad("number-1e999999999-text", NOT_NUMBER, spec(traffic="{sessions_per_day: 1e999999999}")),
    bad("number-huge-exponent", "out of range", spec(traffic="{sessions_per_day: 1.0e+999999999}")),
    bad("number-tiny-exponent", "out of range", spec(per_session="1.0e-999999999")),
    bad("number-inf", "unsupported number", spec(per_session=".inf")),
    bad("number-minus-inf", "unsupported number", spec(per_session="-.inf")),
    bad("number-nan", "unsupported number", spec(per_session=".nan")),
    bad("number-4400-digit-int", "too long", spec(traffic="{sessions_per_day: " + "1" * 4400 + "}")),
    bad("number-4400-digit-decimal", "re:too long|unsupported", spec(per_session="1." + "1" * 4400)),
    bad("number-huge-hex", "too long", spec(traffic="{sessions_per_day: 0x" + "f" * 40 + "}")),
    bad("number-negative-per-session", "per_session", spec(per_session="-1")),
    bad("growth-minus-one", "growth_per_month", spec(traffic="{sessions_per_day: 1, growth_per_month: -1}")),
    bad("growth-minus-five", "growth_per_month", spec(traffic="{sessions_per_day: 1, growth_per_month: -5}")),
    bad("growth-eleven", "growth_per_month", spec(traffic="{sessions_per_day: 1, growth_per_month: 11}")),
    ok("growth-near-minus-one", spec(traffic="{sessions_per_day: 1, growth_per_month: -0.999999}",
                                     top="budget: {monthly_usd: 1}")),
    bad("days-per-month-zero", "days_per_month", spec(traffic="{sessions_per_day: 1, days_per_month: 0}")),
    bad("days-per-month-32", "days_per_month", spec(traffic="{sessions_per_day: 1, days_per_month: 32}")),
    bad("max-input-tokens-half", "whole number", spec(traffic="{sessions_per_day: 1, users: {count: 5}}",
                                                      top="limits: {calls_per_user_per_day: 5, max_input_tokens: 0.5}")),
    bad("yaml11-leading-zero", "ambiguous number", spec(traffic="{sessions_per_day: 010}")),
    bad("yaml11-sexagesimal", "ambiguous number", spec(per_session="1:30")),
    bad("yaml11-binary", "ambiguous number", spec(traffic="{sessions_per_day: 0b101}")),
    bad("yaml11-octal-0o", NOT_NUMBER, spec(traffic="{sessions_per_day: 0o17}")),
    bad("yaml11-underscore", "re:ambiguous|must be a number", spec(traffic="{sessions_per_day: 1_000}")),
    bad("yaml11-yes", "true or false", spec(call="    cache: {prompt_prefix: yes}")),
    bad("yaml11-on", "true or false", spec(call="    cache: {prompt_prefix: on}")),
    bad("yaml11-off-as-number", NOT_NUMBER, spec(call="    batch: off")),
    bad("yaml11-no-as-history", "history", spec(call="    history: no")),
    bad("version-2", "unsupported spec version", spec().replace("version: 1", "version: 2")),
    bad("version-string", "unsupported spec version", spec().replace("version: 1", 'version: "1"')),
    bad("version-true", "unsupported spec version", spec().replace("version: 1", "version: true")),
    bad("version-decimal", "unsupported spec version", spec().replace("version: 1", "version: 1.5")),
    bad("mix-not-summing", "sum to", spec(model_line="    mix: {gpt-4o: 0.5, gpt-4o-mini: 0.4}")),
    bad("mix-negative-share", "re:>= 0|must be", spec(model_line="    mix: {gpt-4o: 1.5, gpt-4o-mini: -0.5}")),
    bad("mix-empty", "mix must map", spec(model_line="    mix: {}")),
    bad("model-and-mix", "exactly one", spec(call="    mix: {gpt-4o: 1}")),
    bad("output-max-below-mean", "below its mean", spec(output="{mean: 10, max: 5}")),
    bad("max-tokens-zero", "max_tokens", spec(call="    max_tokens: 0")),
    bad("batch-over-one", "batch", spec(call="    batch: 1.5")),
    bad("batch-without-batch-price", "batch", spec(model="deepseek-chat", call="    batch: 0.5")),
    bad("retry-negative", "retry_rate", spec(call="    retry_rate: -0.1")),
    bad("history-window-negative", "window", spec(call="    history: {window: -1}")),
    bad("history-two-policies", "one policy", spec(call="    history: {window: 1, tokens: 5}")),
    bad("summary-every-zero", "every", spec(call="    history: {summary: {every: 0, tokens: 10}}")),
    bad("cache-ttl-10m", "ttl", spec(call="    cache: {ttl: 10m}")),
    bad("exact-hit-rate-two", "exact_hit_rate", spec(call="    cache: {exact_hit_rate: 2}")),
    bad("users-count-zero", "count", spec(traffic="{sessions_per_day: 1, users: {count: 0}}")),
    bad("users-zipf-and-heavy", "either zipf", spec(traffic="{sessions_per_day: 1, users: {count: 5, zipf: 1.1, "
                                                    "heavy_user_share: 0.1}}")),
    bad("users-zipf-zero", "zipf", spec(traffic="{sessions_per_day: 1, users: {count: 5, zipf: 0}}")),
    bad("users-heavy-share-over-one", "heavy_user_share",
        spec(traffic="{sessions_per_day: 1, users: {count: 5, heavy_user_share: 1.5}}")),
    bad("users-heavy-multiplier-half", "heavy_user_multiplier",
        spec(traffic="{sessions_per_day: 1, users: {count: 5, heavy_user_multiplier: 0.5}}")),
    bad("budget-negative", "monthly_usd", spec(top="budget: {monthly_usd: -1}")),
    bad("unknown-top-key", "unknown key", spec(top="retry_rat: 0.1")),
    bad("calls-empty", "non-empty list", spec().split("calls:")[0] + "calls: []\n"),
    bad("calls-null-item", "must be a mapping", spec().split("calls:")[0] + "calls: [null]\n"),
    bad("traffic-scalar", "must be a mapping", spec(traffic="5")),
    bad("vars-not-mapping", "vars must be a mapping", spec(top="vars: [1, 2]")),
    bad("duplicate-call-name", "duplicate call name", spec(call="""\
  - name: answer
    model: gpt-4o
    per_session: 1
    user: hi""")),

    # -- dates --------------------------------------------------------------------------------
    acme("date-checked-feb-30", "checked: 2026-11-01", "checked: 2026-02-30", "invalid date"),
    acme("date-since-month-13", "since: 2020-01-01", "since: 2026-13-01", "invalid date"),
    acme("date-deprecated-feb-29-2026", "checked: 2026-11-01", "checked: 2026-11-01\n    deprecated: 2026-02-29",
         "invalid date"),
    acme("date-since-year-zero", "since: 2020-01-01", "since: 0000-01-01", "re:invalid date|must be a date"),
    acme("date-since-bad-time", "since: 2020-01-01", "since: 2026-01-01T25:00:00", "re:invalid date|must be a date"),
    acme("date-checked-quoted-invalid", "checked: 2026-11-01", 'checked: "2026-02-30"', "must be a date"),
    acme("date-since-as-of-later", "since: 2020-01-01", "since: 2027-01-01", "re:(?i)price|no price|before"),
    bad("date-in-description", "invalid date", spec(top="description: 2026-02-30")),
    bad("date-in-vars", "invalid date", spec(top="vars: {d: 2026-02-30}")),
    ok("date-valid-in-vars", spec(system='"Today is {{ d }}"', top="vars: {d: 2026-02-28}")),
    est("as-of-feb-30", 2, "--as-of", None, argv=ESTIMATE + ("--as-of", "2026-02-30")),
    est("as-of-year-99999", 2, "--as-of", None, argv=ESTIMATE + ("--as-of", "99999-01-01")),
    est("as-of-before-any-price", 2, "re:(?i)price", None, argv=ESTIMATE + ("--as-of", "0001-01-01")),

    # -- models where they do not belong --------------------------------------------------------
    bad("chat-model-as-embedding-model", "embedding_model",
        spec(call="    cache: {semantic_hit_rate: 0.1, embedding_model: gpt-4o}")),
    bad("embedding-model-as-call-model", "embedding model", spec(model="text-embedding-3-small")),
    bad("embedding-model-in-mix", "embedding model",
        spec(model_line="    mix: {gpt-4o: 0.5, text-embedding-3-small: 0.5}")),
    bad("embedding-model-as-router", "router.model", spec(call="    router: {model: text-embedding-3-small}")),
    bad("embedding-model-in-scenario", "embedding",
        spec(top="scenarios:\n  emb: {answer: {model: text-embedding-3-small}}"),
        argv=("estimate", "@REPO@/bot.costgate.yaml", "--as-of", AS_OF)),
    bad("unknown-model-in-scenario", "unknown model", spec(top="scenarios:\n  x: {answer: {model: gpt-9}}"),
        argv=("estimate", "@REPO@/bot.costgate.yaml", "--as-of", AS_OF)),
    bad("request-over-context-window", "re:answer.*20,0\\d\\d input tokens.*16,385",
        spec(model="gpt-3.5-turbo"), {"prompts/system.j2": hello(20000)}),
    bad("history-over-context-window", "re:at turn \\d+",
        spec(model="gpt-3.5-turbo", per_session="1000", output="500", call="    history: full")),
    bad("model-path-like", "unknown model", spec(model='"../../etc/passwd"')),
    bad("model-number", "model id", spec(model="123")),
    bad("model-null", "re:model id|exactly one|must be", spec(model="null")),
    bad("model-list", "model id", spec(model="[a, b]")),
    bad("model-rtl-override", "unknown model", spec(model='"gpt-4o\\u202e"')),
    bad("router-model-number", "router.model", spec(call="    router: {model: 5}")),

    # -- price layers -------------------------------------------------------------------------------
    layer("price-provider-mismatch", PRICE, "does not match the file name", name="acme.yaml"),
    acme("price-provider-path", "provider: acme", "provider: ../../x", "re:provider|does not match"),
    acme("price-tokenizer-path", "tokenizer: o200k_base", "tokenizer: ../../etc/passwd", "unknown tokenizer"),
    acme("price-input-1e999999999", 'input: "2.50"', 'input: "1e999999999"', PRICE_RANGE),
    acme("price-input-5000-digits", 'input: "2.50"', 'input: "1' + "0" * 5000 + '"', PRICE_RANGE),
    acme("price-input-1e30", 'input: "2.50"', 'input: "1e30"', PRICE_RANGE),
    ratio("price-ratio-1e30", "1e30"),
    ratio("price-ratio-1e999999", "1e999999", child=True, timeout=10),
    ok("maxima-on-the-priciest-model", spec(model="claude-opus-4-1", output="10000000", per_session="1000",
                                            traffic="{sessions_per_day: 1000000000}"),
       note="every number at its documented maximum is valid input"),
    acme("price-input-nan", 'input: "2.50"', 'input: "NaN"', "not a decimal number"),
    acme("price-input-snan", 'input: "2.50"', 'input: "sNaN"', "not a decimal number"),
    acme("price-input-infinity", 'input: "2.50"', 'input: "Infinity"', "not a decimal number"),
    acme("price-input-negative", 'input: "2.50"', 'input: "-1"', "negative"),
    acme("price-input-bare-number", 'input: "2.50"', "input: 1.00", "bare number"),
    acme("price-input-hex", 'input: "2.50"', 'input: "0x10"', "not a decimal number"),
    acme("price-schema-version-decimal", "schema_version: 1", "schema_version: 1.0", "schema_version"),
    acme("price-models-empty", "models:\n", "models: []\nx:\n", "re:unknown key|models"),
    acme("price-context-window-zero", "checked: 2026-11-01", "checked: 2026-11-01\n    context_window: 0",
         "context_window"),
    layer("price-file-empty", "", "pricing file is empty"),
    est("price-layer-dir-without-yaml", 2, "not found", None, {"costgate.yaml": "pricing: [prices]\n",
                                                              "prices/readme.txt": "x\n"}),
    est("price-layer-dir-is-a-yaml-dir", 2, "does not match the file name", None,
        {"costgate.yaml": "pricing: [prices/openai.yaml]\n", "prices/openai.yaml/x.yaml": PRICE}),

    # -- config ------------------------------------------------------------------------------------
    config("config-threshold-negative", "thresholds:\n  system_prompt_growth: {percent: -5}\n", "percent"),
    config("config-threshold-percent-text", "thresholds:\n  system_prompt_growth: {percent: 10%}\n", NOT_NUMBER),
    config("config-feature-null", "features: {bot: null}\n", "re:must be a mapping|features"),
    config("config-features-list", "features: [bot]\n", "features must map"),
    config("config-specs-mapping", "specs: {a: 1}\n", "specs must be a list"),
    config("config-specs-number-item", "specs: [1]\n", "specs must be a list"),
    config("config-specs-empty", "specs: []\n", "specs must be a list"),
    config("config-limits-zero", "limits: {rendered_chars: 0}\n", "rendered_chars"),
    config("config-limits-negative", "limits: {render_seconds: -1}\n", "render_seconds"),
    config("config-limits-unknown", "limits: {cpu: 1}\n", "unknown key"),
    config("config-limits-fraction", "limits: {rendered_chars: 1.5}\n", "whole number"),
    config("config-limits-huge-render-seconds", "limits: {render_seconds: 99999999999999999999}\n",
           "re:render_seconds|too long|must be", exit=2),
    config("config-empty-is-defaults", "", "bot", exit=0),
    config("pyproject-tool-string", 'tool = "x"\n', "bot", exit=0, name="pyproject.toml",
           note="no [tool.costgate] table: the defaults apply (exit 0)"),
    config("pyproject-costgate-string", '[tool]\ncostgate = "x"\n', "re:must be a (mapping|table)",
           name="pyproject.toml"),
    config("pyproject-percent-nan", "[tool.costgate.thresholds]\nsystem_prompt_growth = {percent = nan}\n",
           "re:number|nan|finite", name="pyproject.toml"),
    config("pyproject-percent-inf", "[tool.costgate.thresholds]\nsystem_prompt_growth = {percent = inf}\n",
           "re:number|inf|finite", name="pyproject.toml"),
    config("pyproject-percent-date", "[tool.costgate.thresholds]\nsystem_prompt_growth = {percent = 2026-02-28}\n",
           NOT_NUMBER, name="pyproject.toml"),
    config("pyproject-invalid", "[tool.costgate\n", "invalid TOML", name="pyproject.toml"),
    config("pyproject-empty-is-defaults", "", "bot", exit=0, name="pyproject.toml"),

    # -- the CI event file ---------------------------------------------------------------------------
    event("open-brace", "{"),
    event("a-list", "[]"),
    event("pull-request-number", '{"pull_request": 3}'),
    event("base-null", '{"pull_request": {"base": null}}'),
    event("binary", bytes(range(256))),
    event("deeply-nested", "[" * 100000 + "]" * 100000),
    event("empty", ""),
    event("directory", Dir()),
    event("fifo", Fifo(), timeout=10),
    event("missing", None),
    event("huge-int", '{"pull_request": {"base": {"sha": ' + "1" * 5000 + "}}}"),
    event("sha-option", '{"pull_request": {"base": {"sha": "--output=@TMP@/pwned"}}}', expect="not a commit SHA"),
    event("sha-number", '{"pull_request": {"base": {"sha": 12}}}'),  # not a string: no base from the event
    event("sha-list", '{"pull_request": {"base": {"sha": ["a"]}}}'),
    event("malformed-falls-back-to-base-ref", "{", expect="no cost change", exit=0,
          env={"GITHUB_BASE_REF": "main"}, setup=lambda ctx: git(ctx.repo, "update-ref", "refs/remotes/origin/main",
                                                                 "HEAD")),

    # -- report paths -------------------------------------------------------------------------------
    output("missing-directory", "@TMP@/no/such/dir/report.txt"),
    Case("E-output-missing-directory-diff", DIFF + ("-o", "@TMP@/no/such/dir/report.md"), 2, "cannot write",
         base=gate_base()),
    output("is-a-directory", "@TMP@/cwd", expect="is a directory", usage=True),
    output("dev-full", "/dev/full"),
    Case("E-output-dev-full-diff", DIFF + ("-o", "/dev/full"), 2, "cannot write", base=gate_base()),
    output("under-a-file", "@REPO@/queries.txt/report.txt"),
    Case("E-output-empty-path", ESTIMATE + ("-o", ""), 0, "bot", files=files(),
         note="-o '' is no file: the report goes to stdout (exit 0)"),
    Case("E-output-fifo", ESTIMATE + ("-o", "@REPO@/out.fifo"), 2, "re:not a regular file|cannot write",
         files=files({"out.fifo": Fifo()}), timeout=2),

    # -- costgate tokens ------------------------------------------------------------------------------
    tokens("binary-high-bytes", bytes(range(0x80, 0x100)), 2, "UTF-8"),
    tokens("utf16", "hello".encode("utf-16"), 2, "UTF-8"),
    tokens("nul-byte", "a\x00b", 0, "", note="NUL is valid UTF-8: counted, exit 0"),
    tokens("empty", "", 0, "0"),
    tokens("unknown-model", "hi", 2, "unknown model", "-m", "gpt-9"),
    tokens("embedding-model", "hi", 0, "", "-m", "text-embedding-3-small"),
    Case("E-tokens-directory", ("tokens", "@REPO@"), 2, "re:directory|Invalid value", files={}, usage=True),
    Case("E-tokens-missing-file", ("tokens", "@REPO@/nope.txt"), 2, "re:does not exist|No such file|cannot read",
         files={}, usage=True),
    messages("name-number", '[{"role": "user", "content": "hi", "name": 5}]', expect="name"),
    messages("name-object", '[{"role": "user", "content": "hi", "name": {"a": 1}}]', expect="name"),
    messages("name-empty-string", '[{"role": "user", "content": "hi", "name": ""}]', exit=0, expect=""),
    messages("not-a-list", '{"role": "user", "content": "hi"}'),
    messages("a-number", "5"),
    messages("null", "null"),
    messages("deeply-nested", "[" * 100000 + "]" * 100000),
    messages("huge-int", '[{"role": "user", "content": "hi", "n": ' + "1" * 5000 + "}]"),
    messages("content-list", '[{"role": "user", "content": [{"type": "text", "text": "hi"}]}]'),
    messages("role-missing", '[{"content": "hi"}]'),
    messages("empty-file", ""),
    messages("nan-extra-field", '[{"role": "user", "content": "hi", "n": NaN}]', exit=0, expect=""),
    messages("lone-surrogate", '[{"role": "user", "content": "a\\ud800b"}]', exit=0, expect="",
             note="JSON may escape a lone surrogate: counted (exit 0)"),
    messages("binary", bytes(range(0x80, 0x100)), expect="UTF-8"),

    # -- the command line -------------------------------------------------------------------------------
    est("cli-sessions-zero", 2, "re:sessions|Invalid value", None, argv=ESTIMATE + ("--sessions", "0"), usage=True),
    est("cli-missing-spec", 2, "no such file", None, argv=("estimate", "@REPO@/nope.costgate.yaml")),
    Case("E-cli-empty-directory", ("estimate", "@REPO@/empty"), 2, "no specs found", files={"empty/readme.txt": "x"}),
    Case("E-cli-directory-named-like-a-spec", ("estimate", "@REPO@/x.costgate.yaml"), 2, "no specs found",
         files={"x.costgate.yaml/readme.txt": "x"}),
    Case("E-cli-base-starts-with-dash", ("diff", "-C", "@REPO@", "--base", "--output=@TMP@/pwned"), 2,
         "unknown git ref", base=gate_base()),
    Case("E-cli-base-empty", ("diff", "-C", "@REPO@", "--base", ""), 2, "unknown git ref", base=gate_base()),
    Case("E-cli-head-starts-with-dash", ("diff", "-C", "@REPO@", "--base", "HEAD", "--head", "-p"), 2,
         "unknown git ref", base=gate_base()),
    Case("E-cli-base-names-a-blob", ("diff", "-C", "@REPO@", "--base", "HEAD:bot.costgate.yaml"), 2,
         "unknown git ref", base=gate_base()),
    Case("E-cli-diff-no-commits", ("diff", "-C", "@REPO@", "--base", "HEAD"), 2, "unknown git ref",
         files=files(), setup=lambda ctx: (git(ctx.repo.parent, "init", "-q", str(ctx.repo)) and None)),
    Case("E-cli-diff-not-a-git-repository", ("diff", "-C", "@REPO@", "--base", "HEAD"), 2,
         "re:unknown git ref|not a git repository", files=files()),
    Case("E-cli-diff-config-missing-on-both-sides", ("diff", "-C", "@REPO@", "--base", "HEAD", "--config",
                                                     "missing.yaml"), 2, "re:config file not found|missing.yaml",
         base=gate_base(), cwd="@REPO@"),
    Case("E-cli-tokens-model-path-like", ("tokens", "-m", "../../etc/passwd", "@REPO@/q.txt"), 2, "unknown model",
         files={"q.txt": "hi"}),
    Case("E-cli-pricing-list-hostile-provider", ("pricing", "list", "--provider", "<img src=x>\n::error::x"), 2,
         "unknown provider", files={}),
    Case("E-cli-pricing-show-unknown", ("pricing", "show", "gpt-9"), 2, "unknown model", files={}),
    Case("E-cli-pricing-list-unknown-provider", ("pricing", "list", "--provider", "nope"), 2, "unknown provider",
         files={}),
    Case("E-cli-pricing-validate-fifo", ("pricing", "validate", "@REPO@/openai.yaml"), 2,
         "re:not a regular file|cannot read", files={"openai.yaml": Fifo()}, timeout=2),

    # -- what a template can raise ------------------------------------------------------------------------
    jinja("syntax-error", "{% if %}", "template syntax error"),
    jinja("unclosed-raw", "{% raw %}x", "template syntax error"),
    jinja("undefined", "{{ nope }}", "undefined"),
    jinja("undefined-attribute", "{{ query.nope.deeper }}", "undefined"),
    jinja("zero-division", "{{ 1 / 0 }}", "re:ZeroDivision|division"),
    jinja("floor-division-by-zero", "{{ 1 // 0 }}", "re:ZeroDivision|division"),
    jinja("modulo-by-zero", "{{ 1 % 0 }}", "re:ZeroDivision|modulo"),
    jinja("index-out-of-range", "{{ [][1] }}", "re:undefined|index"),
    jinja("dictsort-bad-by", "{{ {}|dictsort(by='x') }}", "re:template|by"),
    jinja("truncate-negative", "{{ 'abc'|truncate(-1) }}", "template"),
    jinja("wordwrap-zero", "{{ 'abc'|wordwrap(0) }}", "template"),
    jinja("sort-mixed-types", "{{ [1, 'a']|sort }}", "template"),
    jinja("random-filter-removed", "{{ [1, 2]|random }}", "random"),
    jinja("format-too-few", "{{ '%s %s'|format(1) }}", "template"),
    jinja("str-format-index", "{{ '{0}'.format() }}", "template"),
    jinja("encode-unknown-codec", "{{ 'x'.encode('rot13') }}", "template"),
    jinja("encode-surrogate", "{{ '\\udcff'.encode('utf-8') }}", "template"),
    jinja("divisibleby-zero", "{{ 1 is divisibleby 0 }}", "re:ZeroDivision|division|template"),
    jinja("unknown-test", "{{ 1 is nonexistenttest }}", "re:test|template"),
    jinja("map-unknown-filter", "{{ [1]|map('nonexistent')|list }}", "re:filter|template"),
    jinja("range-step-zero", "{{ range(1, 10, 0)|list }}", "template"),
    jinja("round-huge-precision", "{{ 1.5|round(999999999) }}", "re:rendered_chars|template"),
    jinja("int-of-none-attribute", "{{ none.x }}", "re:undefined|template"),
    jinja("unpack-mismatch", "{% set a, b = [1] %}{{ a }}", "template"),
    jinja("call-a-string", "{{ 'x'() }}", "re:template|callable"),
    jinja("getitem-on-int", "{{ (1)[0] }}", "re:undefined|template"),
    jinja("tojson-of-undefined", "{{ nope|tojson }}", "re:(?i)undefined"),
    jinja("tojson-ok", "{{ {'a': [1, 2]}|tojson }}", "bot", exit=0),
    jinja("object-repr-is-stable", "{{ cycler(1, 2) }}{{ joiner() }}", "bot", exit=0,
          note="an object's repr carries its address: rendering it is allowed, its token count may vary"),
    jinja("bytes-render", "{{ 'x'.encode('utf-16') }}", "bot", exit=0),
    Case("E-jinja-very-long-line-of-text", ESTIMATE, 0, "bot",
         files=files({"prompts/long.j2": Lazy(lambda: json.dumps("x" * 900_000), "900k")},
                     spec_text=spec(system="{file: prompts/long.j2}"))),

    # -- prompts inside other files: parse failures are messages, never tracebacks
    bad("python-syntax-error", "invalid Python", spec(system="{file: app.py, symbol: A}"), {"app.py": "A = 'x\n"}),
    bad("python-null-byte", "null bytes", spec(system="{file: app.py, symbol: A}"), {"app.py": "A = 'x'\x00\n"}),
    bad("python-deep-parentheses", "re:invalid Python|cannot parse", spec(system="{file: app.py, symbol: A}"),
        {"app.py": "A = " + "(" * 5000 + "'x'" + ")" * 5000 + "\n"}),
    bad("python-deep-brackets", "re:invalid Python|cannot parse", spec(system="{file: app.py, symbol: A}"),
        {"app.py": "A = " + "[" * 100_000 + "]" * 100_000 + "\n"}),
    bad("python-long-plus-chain", "re:invalid Python|cannot parse", spec(system="{file: app.py, symbol: A}"),
        {"app.py": Lazy(lambda: "A = " + " + ".join(["'x'"] * 200_000) + "\n", "200k +")}),
    bad("python-long-method-chain", "re:cannot|nested", spec(system="{file: app.py, symbol: A}"),
        {"app.py": "A = 'x'" + ".strip()" * 2_000 + "\n"}),
    bad("python-fstring-call", "cannot evaluate it statically", spec(system="{file: app.py, symbol: A}"),
        {"app.py": "A = f\"{open('/etc/passwd').read()}\"\n"}),
    bad("python-not-utf8", "not UTF-8", spec(system="{file: app.py, symbol: A}"), {"app.py": b"A = '\xff'\n"}),
    bad("json-deep-nesting", NESTED, spec(system="{file: p.json, key: a}"),
        {"p.json": "[" * 100_000 + "]" * 100_000}),
    bad("json-huge-integer", "invalid JSON", spec(system="{file: p.json, key: a}"), {"p.json": '{"a": ' + "9" * 5000 + "}"}),
    bad("toml-deep-nesting", NESTED, spec(system="{file: p.toml, key: a}"),
        {"p.toml": "a = " + "[" * 100_000 + "]" * 100_000 + "\n"}),
    bad("yaml-key-file-deep", NESTED, spec(system="{file: p.yaml, key: a}"), {"p.yaml": "a: " + "[" * 200 + "]" * 200}),
    bad("key-names-with-control-characters-are-escaped", "keys there: '\\x1b[31mred\\nline'",
        spec(system="{file: p.yaml, key: a.nope}"),
        {"p.yaml": 'a:\n  "\\e[31mred\\nline": x\n  "::error::pwn": y\n'}),
    bad("key-value-not-a-string", "not a prompt string", spec(system="{file: p.yaml, key: a}"), {"p.yaml": "a: [1]\n"}),
    bad("key-with-control-characters", "no key", spec(system='{file: p.yaml, key: "a\\u001b[31m"}'),
        {"p.yaml": "a: b\n"}),
    bad("prompty-without-front-matter", "front matter", spec(system=None, call="    prompt: {file: c.prompty}"),
        {"c.prompty": "system:\nhi\n"}),
    bad("prompty-alias-bomb", "aliases", spec(system=None, call="    prompt: {file: c.prompty}"),
        {"c.prompty": "---\na: &a [x, x]\n" + "".join(f"b{i}: *a\n" for i in range(60)) + "---\nsystem:\nhi\n"}),
    bad("prompty-front-matter-a-list", "must be a YAML mapping", spec(system=None, call="    prompt: {file: c.prompty}"),
        {"c.prompty": "---\n- a\n---\nsystem:\nhi\n"}),
]

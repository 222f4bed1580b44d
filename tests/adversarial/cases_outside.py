"""A. Reading outside the repository.

Specs, templates, samples, price layers, globs and config files arrive in pull requests;
every path they name (and every symlink on the way, on disk or committed) must stay
inside the repository, and special files (FIFOs, sockets, devices) must be refused
before anything blocks on them. Jinja2's include/import/extends and attribute escapes
are the same door through the template engine. ``-C``, ``--config`` and ``init --dir``
are the command line's doors.

Every case runs with the canary next to the repository (``tmp_path/outside``): a
secret the output must never show, and files (a spec, a config, a price file pricing
gpt-4o at $0) that would change the verdict if read.
"""

from __future__ import annotations

import os
from pathlib import Path

from adversarial.harness import (
    CANARY_TEXT,
    DIFF,
    ESTIMATE,
    GROWN,
    GROWTH,
    PR,
    PR_REFS,
    SPEC,
    Case,
    Dir,
    Fifo,
    Link,
    Sock,
    files,
    gate_base,
    prices_file,
    spec,
)
from helpers import AS_OF

LEAVES = "re:leaves the repository|absolute symlink"
OUTSIDE = "re:leaves the repository|outside the repository|absolute symlink"
IRREGULAR = "not a regular file"
UNSAFE = "unsafe"
NO_ATTR = "re:unsafe|has no attribute"
LOOP = "re:symlinks|symbolic links|loop"
REFUSED_INCLUDE = r"re:\{% (include|import|extends) '[^']*' %\}: path '[^']*' leaves the repository"
"""Includes are read when the spec is loaded, through the confined reader (spec/includes.py)."""
NOT_CONSTANT = "names must be constant strings"


def inc(id: str, prompt: str, expect: str = LEAVES, extra=None, exit: int = 2, **kw) -> Case:
    """prompts/system.j2 is ``prompt`` (it includes something), ``extra`` the files around it."""
    return est(id, exit, expect, extra, prompt=prompt, **kw)


def est(id: str, exit: int, expect: str, extra=None, *, spec_text=None, prompt=None, argv=ESTIMATE, **kw) -> Case:
    return Case(id=f"A-{id}", argv=argv, exit=exit, expect=expect,
                files=files(extra, spec_text=spec_text, prompt=prompt), **kw)


def tpl(id: str, system: str, expect: str = LEAVES, **kw) -> Case:
    """A spec whose system prompt is ``system`` (YAML text)."""
    return est(id, 2, expect, spec_text=spec(system=system), **kw)


def jinja(id: str, template: str, expect: str = UNSAFE, **kw) -> Case:
    """An inline system template (written as a YAML single-quoted string)."""
    return est(id, 2, expect, spec_text=spec(system="'" + template.replace("'", "''") + "'"), **kw)


def cfg(id: str, config: str, expect: str = LEAVES, extra=None, exit: int = 2, argv=ESTIMATE, **kw) -> Case:
    return est(id, exit, expect, {"costgate.yaml": config, **(extra or {})}, argv=argv, **kw)


def pr(id: str, head: dict, exit: int = 2, expect: str = LEAVES, base=None, argv=PR_REFS, **kw) -> Case:
    return Case(id=f"A-{id}", argv=argv, exit=exit, expect=expect, files=head,
                base=gate_base() if base is None else base, commit_head=True, **kw)


ESTIMATE_DIR = ("estimate", "@REPO@", "--as-of", AS_OF, "--no-alternatives")
INIT = ("init", "-C", "@REPO@")

CASES: list[Case] = [
    # -- template, context, user and samples paths in the spec -----------------------
    tpl("template-relative-escape", "{file: ../outside/canary.txt}"),
    tpl("template-deep-escape", '{file: "../../../../../../../../../..@OUT@/canary.txt"}'),
    tpl("template-absolute-canary", '{file: "@CANARY@"}'),
    tpl("template-etc-passwd", "{file: /etc/passwd}"),
    tpl("template-proc-environ", "{file: /proc/self/environ}"),
    tpl("template-escape-through-subdir", "{file: prompts/../../outside/canary.txt}"),
    tpl("template-escape-dot-slash", "{file: ./../outside/canary.txt}"),
    tpl("template-backslash-escape", '{file: "..\\\\outside\\\\canary.txt"}'),
    tpl("template-windows-drive", '{file: "C:/Windows/win.ini"}'),
    tpl("template-double-slash", '{file: "//etc/passwd"}'),
    tpl("template-trailing-dotdot", "{file: prompts/system.j2/../../../outside/canary.txt}"),
    tpl("template-tilde-is-not-home", '{file: "~/canary.txt"}', expect="file not found",
        setup=lambda ctx: (Path(os.environ["HOME"]) / "canary.txt").write_text(CANARY_TEXT)),
    tpl("template-env-var-not-expanded", '{file: "$HOME/canary.txt"}', expect="file not found"),
    tpl("template-file-url", '{file: "file:///etc/passwd"}', expect="file not found"),
    est("context-escape", 2, LEAVES, spec_text=spec(context="{file: ../outside/canary.txt}")),
    est("context-absolute", 2, LEAVES, spec_text=spec(context='{file: "@CANARY@"}')),
    est("user-escape", 2, LEAVES, spec_text=spec(user="{file: ../outside/canary.txt}")),
    est("user-absolute", 2, LEAVES, spec_text=spec(user='{file: "@CANARY@"}')),
    est("samples-escape", 2, LEAVES, spec_text=spec(samples="{file: ../outside/canary.txt}")),
    est("samples-absolute", 2, LEAVES, spec_text=spec(samples='{file: "@OUT@/canary.txt"}')),
    est("samples-jsonl-absolute", 2, LEAVES, spec_text=spec(samples='{file: "@OUT@/canary.jsonl"}')),
    est("samples-escape-from-nested-spec", 2, LEAVES,
        {"a/b/c/bot.costgate.yaml": spec(samples="{file: ../../../../outside/canary.txt}",
                                         system="{file: ../../../prompts/system.j2}")},
        argv=("estimate", "@REPO@/a/b/c/bot.costgate.yaml", "--as-of", AS_OF)),
    est("template-escape-from-nested-spec", 2, LEAVES,
        {"a/b/c/bot.costgate.yaml": spec(system="{file: ../../../../outside/canary.txt}",
                                         samples="{file: ../../../queries.txt}")},
        argv=("estimate", "@REPO@/a/b/c/bot.costgate.yaml", "--as-of", AS_OF)),

    # -- symlinks in the work tree ----------------------------------------------------
    est("symlink-template-absolute", 2, LEAVES, prompt=Link("@CANARY@")),
    est("symlink-template-relative", 2, LEAVES, prompt=Link("../../outside/canary.txt")),
    est("symlink-template-chain", 2, LEAVES, {"prompts/hop.j2": Link("@CANARY@")}, prompt=Link("hop.j2")),
    est("symlink-template-dir-absolute", 2, LEAVES, {"prompts/system.j2": None, "prompts": Link("@OUT@/prompts")}),
    est("symlink-template-dir-relative", 2, LEAVES, {"prompts/system.j2": None, "prompts": Link("../outside/prompts")}),
    est("symlink-samples", 2, LEAVES, {"queries.txt": Link("@OUT@/canary-queries.txt")}),
    est("symlink-context", 2, LEAVES, {"ctx.j2": Link("@OUT@/canary.j2")},
        spec_text=spec(context="{file: ctx.j2}")),
    est("symlink-spec-file", 2, OUTSIDE, {SPEC: Link("@OUT@/canary.costgate.yaml")}),
    # a spec's calibration file (costgate calibrate --write) is read like a template
    est("calibration-relative-outside", 2, LEAVES,
        spec_text=spec(top="calibration: {file: ../outside/canary.txt}")),
    est("calibration-absolute", 2, OUTSIDE, spec_text=spec(top="calibration: {file: '@CANARY@'}")),
    est("symlink-calibration", 2, LEAVES, {"calibration.yaml": Link("@CANARY@")},
        spec_text=spec(top="calibration: {file: calibration.yaml}")),
    est("symlink-spec-found-by-directory-scan", 2, OUTSIDE, {"x.costgate.yaml": Link("@OUT@/canary.costgate.yaml")},
        argv=ESTIMATE_DIR),
    est("symlinked-dir-not-descended-by-scan", 0, "bot", {"linked": Link("@OUT@")}, argv=ESTIMATE_DIR,
        note="os.walk does not descend a symlinked directory: only the repository's own spec is estimated"),
    est("symlink-dev-zero", 2, LEAVES, prompt=Link("/dev/zero")),
    est("symlink-dev-null", 2, LEAVES, prompt=Link("/dev/null")),
    est("symlink-proc-self-root", 2, LEAVES, {"prompts/system.j2": None, "prompts": Link("/proc/self/root@OUT@/prompts")}),
    est("symlink-loop", 2, LOOP, {"prompts/loop.j2": Link("system.j2")}, prompt=Link("loop.j2")),
    est("symlink-self-loop", 2, LOOP, prompt=Link("system.j2")),
    est("symlink-dangling", 2, "re:not found|cannot read|No such file", prompt=Link("missing.j2")),
    est("symlink-template-into-dot-git", 2, "re:leaves the repository|\\.git", {".git/canary": CANARY_TEXT},
        prompt=Link("../.git/canary")),
    est("template-path-into-dot-git", 2, "re:leaves the repository|\\.git|not found", {".git/canary": CANARY_TEXT},
        spec_text=spec(system="{file: .git/canary}")),
    est("samples-path-into-dot-git", 2, "re:leaves the repository|\\.git|not found", {".git/q.txt": "hi\n"},
        spec_text=spec(samples="{file: .git/q.txt}")),

    # -- special files ----------------------------------------------------------------
    est("fifo-template", 2, IRREGULAR, prompt=Fifo()),
    est("fifo-samples", 2, IRREGULAR, {"queries.txt": Fifo()}),
    est("fifo-context", 2, IRREGULAR, {"ctx.j2": Fifo()}, spec_text=spec(context="{file: ctx.j2}")),
    est("socket-template", 2, IRREGULAR, prompt=Sock()),
    est("fifo-spec-file", 2, IRREGULAR, {SPEC: Fifo()}),
    est("directory-as-template", 2, "re:not a regular file|not found|directory",
        {"prompts/system.j2": None, "prompts/dir.j2": Dir()}, spec_text=spec(system="{file: prompts/dir.j2}")),
    est("directory-as-samples", 2, "re:not a regular file|not found|directory", {"queries.txt": Dir()}),
    cfg("fifo-price-layer", "pricing: [prices/openai.yaml]\n", IRREGULAR, {"prices/openai.yaml": Fifo()}),
    cfg("fifo-in-price-layer-dir", "pricing: [prices]\n", IRREGULAR, {"prices/openai.yaml": Fifo()}),
    est("fifo-config", 2, IRREGULAR, {"costgate.yaml": Fifo()}),
    est("symlink-config-outside", 2, LEAVES, {"costgate.yaml": Link("@OUT@/costgate.yaml")}),

    # -- the template engine's own doors -----------------------------------------------
    jinja("jinja-include-relative", "{% include '../outside/canary.txt' %}", REFUSED_INCLUDE),
    jinja("jinja-include-absolute", "{% include '@CANARY@' %}", REFUSED_INCLUDE),
    jinja("jinja-include-list", "{% include ['x', '@CANARY@'] %}", REFUSED_INCLUDE),
    jinja("jinja-import", "{% import '@CANARY@' as x %}{{ x }}", REFUSED_INCLUDE),
    jinja("jinja-from-import", "{% from '../outside/canary.j2' import x %}{{ x }}", REFUSED_INCLUDE),
    jinja("jinja-extends", "{% extends '@CANARY@' %}", REFUSED_INCLUDE),
    inc("include-dotdot-from-file", '{% include "../../outside/canary.txt" %}'),
    inc("include-deep-dotdot", '{% include "../../../../../../../../etc/passwd" %}'),
    inc("include-absolute-from-file", '{% include "@CANARY@" %}'),
    inc("include-nested-escape", '{% include "a.j2" %}', extra={"prompts/a.j2": '{% include "../../outside/canary.j2" %}'}),
    inc("include-symlink-absolute", '{% include "p.j2" %}', extra={"prompts/p.j2": Link("@CANARY@")}),
    inc("include-symlink-relative", '{% include "p.j2" %}', extra={"prompts/p.j2": Link("../../outside/canary.txt")}),
    inc("include-symlinked-dir", '{% include "part/canary.j2" %}', extra={"prompts/part": Link("../../outside/prompts")}),
    inc("include-symlink-dev-zero", '{% include "p.j2" %}', extra={"prompts/p.j2": Link("/dev/zero")}),
    inc("include-into-dot-git", '{% include "../.git/canary" %}', "re:\\.git", extra={".git/canary": CANARY_TEXT}),
    inc("include-fifo", '{% include "p.j2" %}', IRREGULAR, extra={"prompts/p.j2": Fifo()}),
    inc("include-dangling-symlink", '{% include "p.j2" %}', "re:not found|cannot read|No such file",
        extra={"prompts/p.j2": Link("gone.j2")}),
    inc("include-name-from-a-sample", "{% include query %}", NOT_CONSTANT,
        extra={"queries.txt": "../outside/canary.txt\n"}),
    inc("include-name-concatenated", "{% include '../../outside/' ~ 'canary.txt' %}", NOT_CONSTANT),
    inc("extends-name-from-vars", "{% extends layout %}", NOT_CONSTANT),
    inc("import-outside-spec", "{% import '../../outside/canary.costgate.yaml' as c %}"),
    inc("include-ignore-missing-still-confined", '{% include "../../outside/canary.txt" ignore missing %}'),
    inc("include-list-second-escapes", '{% include ["p.j2", "../../outside/canary.txt"] %}',
        extra={"prompts/p.j2": "here"}, note="every name of a list is confined, not only the one rendered"),
    inc("include-inside-control", '{% include "p.j2" %}', "bot", extra={"prompts/p.j2": "hello"}, exit=0,
        note="the control: an include inside the repository renders, exit 0"),
    pr("git-include-symlink-out", {"prompts/system.j2": '{% include "p.j2" %}',
                                   "prompts/p.j2": Link("../../outside/canary.txt")}),
    Case("A-git-base-include-symlink-out", DIFF, 2, LEAVES,
         base=gate_base({"prompts/system.j2": '{% include "p.j2" %}', "prompts/p.j2": Link("../../outside/canary.txt")})),
    jinja("jinja-os-popen", "{{ cycler.__init__.__globals__.os.popen('cat @CANARY@').read() }}"),
    jinja("jinja-builtins-open", "{{ self.__init__.__globals__.__builtins__.open('@CANARY@').read() }}"),
    jinja("jinja-subclasses", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    jinja("jinja-attr-filter", "{{ ''|attr('__class__')|attr('__mro__') }}", NO_ATTR),
    jinja("jinja-format-field-attr", "{{ '{0.__class__.__init__.__globals__}'.format(joiner) }}"),
    jinja("jinja-format-map-attr", "{{ '{x.__class__}'.format_map({'x': 1}) }}"),
    jinja("jinja-namespace-globals", "{{ namespace.__init__.__globals__ }}"),
    jinja("jinja-lipsum-globals", "{{ lipsum.__globals__ }}", "lipsum"),
    jinja("jinja-config-object", "{{ config.items() }}", "config"),
    jinja("jinja-range-self", "{{ range.__self__ }}", NO_ATTR),
    jinja("jinja-dict-class", "{{ ({}).__class__.__base__ }}"),
    jinja("jinja-getattr-gi-frame", "{{ (range(3)|map('string')).gi_frame }}"),
    jinja("jinja-percent-format-attr", "{{ '%(a)s' % {'a': ''.__class__} }}"),

    # -- price layers, globs and config from costgate.yaml / pyproject.toml ------------
    cfg("pricing-layer-absolute", 'pricing: ["@OUT@/openai.yaml"]\n'),
    cfg("pricing-layer-absolute-dir", 'pricing: ["@OUT@/pricing"]\n'),
    cfg("pricing-layer-dotdot", "pricing: [../outside/pricing]\n"),
    cfg("pricing-layer-etc", "pricing: [/etc]\n"),
    cfg("pricing-layer-etc-passwd", "pricing: [/etc/passwd]\n"),
    cfg("pricing-layer-inner-dotdot", "pricing: [prices/../../outside/openai.yaml]\n"),
    cfg("pricing-layer-backslash", 'pricing: ["..\\\\outside\\\\pricing"]\n'),
    cfg("pricing-layer-symlink-file", "pricing: [prices/openai.yaml]\n", LEAVES,
        {"prices/openai.yaml": Link("@OUT@/openai.yaml")}),
    cfg("pricing-layer-symlink-dir", "pricing: [prices]\n", "re:leaves the repository|not found",
        {"prices": Link("@OUT@/pricing")}),
    cfg("pricing-layer-dev-zero", "pricing: [zero.yaml]\n", LEAVES, {"zero.yaml": Link("/dev/zero")}),
    est("pricing-layer-pyproject-absolute", 2, LEAVES,
        {"pyproject.toml": '[tool.costgate]\npricing = ["@OUT@/pricing"]\n'}),
    cfg("specs-glob-absolute", 'specs: ["@OUT@/*.costgate.yaml"]\n', argv=ESTIMATE_DIR),
    cfg("specs-glob-dotdot", "specs: [../outside/*.costgate.yaml]\n", argv=ESTIMATE_DIR),
    cfg("specs-glob-inner-dotdot", 'specs: ["**/../../outside/*.costgate.yaml"]\n', argv=ESTIMATE_DIR),
    cfg("specs-glob-etc", 'specs: ["/etc/**"]\n', argv=ESTIMATE_DIR),
    cfg("specs-glob-windows-drive", 'specs: ["C:/x/*.costgate.yaml"]\n', argv=ESTIMATE_DIR),
    cfg("specs-glob-symlinked-dir", 'specs: ["linked/*.costgate.yaml"]\n', "no specs found",
        {"linked": Link("@OUT@")}, argv=ESTIMATE_DIR),
    est("specs-glob-pyproject-absolute", 2, LEAVES, {"pyproject.toml": '[tool.costgate]\nspecs = ["/etc/*"]\n'}),

    # -- the command line: --config, -C, init ------------------------------------------
    pr("config-option-absolute-outside", {"prompts/system.j2": GROWN}, argv=PR + ("--config", "@OUT@/costgate.yaml"),
       expect=OUTSIDE),
    pr("config-option-relative-outside", {"prompts/system.j2": GROWN}, argv=PR + ("--config", "../outside/costgate.yaml"),
       expect=OUTSIDE, cwd="@REPO@"),
    pr("config-option-etc-passwd", {"prompts/system.j2": GROWN}, argv=PR + ("--config", "/etc/passwd"), expect=OUTSIDE),
    pr("config-option-proc", {"prompts/system.j2": GROWN}, argv=PR + ("--config", "/proc/self/environ"),
       expect=OUTSIDE),
    Case("A-config-option-worktree-symlink-outside", DIFF + ("--config", "loose.yaml"), 2, OUTSIDE,
         base=gate_base(), files={"prompts/system.j2": GROWN, "loose.yaml": Link("@OUT@/costgate.yaml")},
         cwd="@REPO@"),
    Case("A-config-option-committed-symlink-outside", DIFF + ("--config", "loose.yaml"), 2, OUTSIDE,
         base=gate_base({"loose.yaml": Link("../outside/costgate.yaml")}), files={"prompts/system.j2": GROWN},
         cwd="@REPO@"),
    Case("A-C-outside-directory", ("diff", "-C", "@OUT@", "--base", "HEAD", "--as-of", AS_OF), 2,
         "re:unknown git ref|not a git repository", files=files()),
    Case("A-C-symlink-to-outside", ("diff", "-C", "@REPO@/out", "--base", "HEAD", "--as-of", AS_OF), 2,
         "re:unknown git ref|not a git repository|outside", base=gate_base(), files={"out": Link("@OUT@")}),
    Case("A-C-filesystem-root", ("diff", "-C", "/", "--base", "HEAD", "--as-of", AS_OF), 2,
         "re:unknown git ref|not a git repository", files=files()),
    Case("A-C-parent-of-repository", ("diff", "-C", "@TMP@", "--base", "HEAD", "--as-of", AS_OF), 2,
         "re:unknown git ref|not a git repository", files=files()),
    Case("A-C-subdirectory-finds-the-root", ("diff", "-C", "@REPO@/prompts", "--base", "HEAD", "--as-of", AS_OF), 1,
         GROWTH, base=gate_base(), files={"prompts/system.j2": GROWN},
         note="-C inside the repository finds its root: the same gate, exit 1 on the growth"),
    Case("A-C-is-a-file", ("diff", "-C", "@REPO@/bot.costgate.yaml", "--base", "HEAD"), 2, "is a file",
         files=files(), usage=True),
    Case("A-init-dir-dotdot", INIT + ("--dir", "../outside"), 2, OUTSIDE, files={}),
    Case("A-init-dir-absolute", INIT + ("--dir", "@OUT@/llm"), 2, OUTSIDE, files={}),
    Case("A-init-feature-traversal", INIT + ("--feature", "../../outside/pwn"), 2, "feature must be an id", files={}),
    Case("A-init-feature-not-an-id", INIT + ("--feature", "Bad Name"), 2, "feature must be an id", files={}),
    Case("A-init-force-through-symlinked-config", INIT + ("--force",), 2, "re:symlink|outside the repository",
         files={"costgate.yaml": Link("@OUT@/costgate.yaml")}),
    Case("A-init-through-symlinked-dir", INIT, 2, OUTSIDE, files={"llm": Link("@OUT@")}),
    Case("A-init-through-symlinked-github-dir", INIT, 2, OUTSIDE, files={".github": Link("@OUT@")}),
    Case("A-init-control-writes-only-inside", INIT, 0, "wrote", files={},
         writes=("repo/costgate.yaml", "repo/llm", "repo/.github"),
         note="the control: init writes its five files inside the repository and nothing else"),
    Case("A-init-detect-prompt-linked-outside", INIT + ("--detect",), 0, "not read: 1 file",
         files={"prompts/system.j2": Link("@CANARY@"), "prompts/own.j2": "You are fine.\n"},
         note="a prompt file linking out of the repository is neither read nor proposed"),
    Case("A-init-detect-prompts-dir-linked-outside", INIT + ("--detect",), 0, "found: no prompts",
         files={"prompts": Link("@OUT@/prompts")}, note="a linked folder is not descended"),
    Case("A-init-detect-env-linked-outside", INIT + ("--detect",), 0, "not read: 2 files",
         files={".env": Link("@OUT@/canary.txt"), "config.yaml": Link("../outside/costgate.yaml")}),
    Case("A-init-detect-write-through-symlinked-dir", INIT + ("--detect", "--write", "--dir", "llm"), 2, OUTSIDE,
         files={"llm": Link("@OUT@")}),
    Case("A-init-detect-write-over-link", INIT + ("--detect", "--write"), 2, "is a symlink",
         files={"example.costgate.yaml": Link("@OUT@/canary.costgate.yaml")}),
    Case("A-init-detect-control-writes-only-its-spec", INIT + ("--detect", "--write"), 0, "wrote",
         files={"prompts/own.j2": "You are fine.\n"}, writes=("repo/example.costgate.yaml",),
         note="the control: --detect --write writes one new file inside the repository"),

    # -- committed symlinks and paths: the git side ------------------------------------
    pr("git-symlink-template-absolute", {"prompts/system.j2": Link("@CANARY@")}),
    pr("git-symlink-template-relative", {"prompts/system.j2": Link("../../outside/canary.txt")}),
    pr("git-symlink-dir-relative", {"prompts/system.j2": None, "prompts": Link("../outside/prompts")}),
    pr("git-symlink-dir-absolute", {"prompts/system.j2": None, "prompts": Link("@OUT@/prompts")}),
    pr("git-symlink-loop", {"prompts/system.j2": Link("loop.j2"), "prompts/loop.j2": Link("system.j2")},
       expect=LOOP),
    pr("git-symlink-self-loop", {"prompts/system.j2": Link("system.j2")}, expect=LOOP),
    pr("git-symlink-dev-zero", {"prompts/system.j2": Link("/dev/zero")}),
    pr("git-symlink-samples", {"queries.txt": Link("../outside/canary-queries.txt")}),
    pr("git-symlink-spec", {"x.costgate.yaml": Link("../outside/canary.costgate.yaml")}),
    pr("git-symlink-chain-out", {"prompts/system.j2": Link("hop.j2"), "prompts/hop.j2": Link("../../outside/canary.txt")}),
    pr("git-template-dotdot", {SPEC: spec(system="{file: ../outside/canary.txt}")}),
    pr("git-samples-absolute", {SPEC: spec(samples='{file: "@OUT@/canary.txt"}')}),
    pr("git-symlink-into-dot-git-git-side", {"prompts/system.j2": Link("../.git/config")}, expect="re:not found|\\.git"),
    Case("A-git-symlink-into-dot-git-work-tree-side", PR, 2, "re:leaves the repository|\\.git|not found",
         base=gate_base(), files={"prompts/system.j2": Link("../.git/canary"), ".git/canary": CANARY_TEXT},
         commit_head=True),
    Case("A-git-base-symlink-outside", DIFF, 2, LEAVES, base=gate_base({"prompts/system.j2": Link("@CANARY@")})),
    Case("A-git-base-config-symlink", DIFF, 2, LEAVES, base=gate_base({"costgate.yaml": Link("../outside/costgate.yaml")})),
    pr("git-head-config-symlink-not-used", {"costgate.yaml": Link("../outside/costgate.yaml"), "prompts/system.j2": GROWN},
       exit=1, expect=GROWTH,
       note="head's config is never the authority; reading it for the 'config changed' note must not leak"),
    pr("git-head-price-layer-symlink-not-used",
       {"prices/openai.yaml": Link("../../outside/openai.yaml"), "prompts/system.j2": GROWN},
       base=gate_base({"costgate.yaml": "pricing: [prices]\n", "prices/openai.yaml": prices_file("gpt-4o")}),
       exit=1, expect=GROWTH),
    Case("A-git-base-specs-glob-absolute", DIFF, 2, LEAVES, base=gate_base({"costgate.yaml": 'specs: ["@OUT@/*"]\n'})),
    Case("A-git-base-pricing-absolute", DIFF, 2, LEAVES,
         base=gate_base({"costgate.yaml": 'pricing: ["@OUT@/pricing"]\n'})),
    Case("A-git-base-pricing-dotdot", DIFF, 2, LEAVES, base=gate_base({"costgate.yaml": "pricing: [../outside]\n"})),
    Case("A-git-base-pricing-committed-symlink-dir", DIFF, 2, "re:leaves the repository|not found",
         base=gate_base({"costgate.yaml": "pricing: [prices]\n", "prices": Link("../outside/pricing")})),
    Case("A-check-event-path-is-the-canary", ("check", "-C", "@REPO@", "--as-of", AS_OF), 2, "no base ref",
         base=gate_base(), env={"GITHUB_EVENT_PATH": "@CANARY@", "GITHUB_BASE_REF": ""}),
    Case("A-check-event-sha-names-a-path", ("check", "-C", "@REPO@", "--as-of", AS_OF), 2, "not a commit SHA",
         base=gate_base(), env={"GITHUB_EVENT_PATH": "@TMP@/event.json", "GITHUB_BASE_REF": ""},
         setup=lambda ctx: (ctx.tmp / "event.json").write_text(
             '{"pull_request": {"base": {"sha": "HEAD:../outside/canary.txt"}}}')),
    # -- prompts inside other files (key:, symbol:, prompt:) go through the same confined reader
    tpl("key-file-escape", "{file: ../outside/canary.txt, key: a}"),
    tpl("key-file-absolute", '{file: "@CANARY@", key: a}'),
    tpl("symbol-file-escape", "{file: ../../outside/prompts.py, symbol: SYSTEM}"),
    est("key-file-symlink-outside", 2, LEAVES, {"prompts/agent.yaml": Link("@CANARY@")},
        spec_text=spec(system="{file: prompts/agent.yaml, key: a}")),
    est("symbol-file-symlink-outside", 2, LEAVES, {"app/prompts.py": Link("../../outside/canary.txt")},
        spec_text=spec(system="{file: app/prompts.py, symbol: SYSTEM}")),
    est("prompty-file-escape", 2, LEAVES, spec_text=spec(system=None, call="    prompt: {file: ../outside/x.prompty}")),
    est("prompty-file-symlink-outside", 2, LEAVES, {"chat.prompty": Link("@CANARY@")},
        spec_text=spec(system=None, call="    prompt: {file: chat.prompty}")),
    est("python-file-is-never-run", 0, "bot",
        {"app/prompts.py": "import os\nprint(open('@CANARY@').read())\nos.system('cat @CANARY@')\n"
                           "SYSTEM = 'Be brief.'\n"},
        spec_text=spec(system="{file: app/prompts.py, symbol: SYSTEM}"),
        note="costgate parses the file with ast and never imports it: the prints never run"),
    est("python-constant-reading-a-file", 2, "a call to open",
        {"app/prompts.py": "SYSTEM = open('@CANARY@').read()\n"},
        spec_text=spec(system="{file: app/prompts.py, symbol: SYSTEM}")),
]

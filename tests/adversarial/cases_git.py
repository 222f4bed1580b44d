"""F. Git consistency: the base is read from git objects, the head from the working tree
(or git objects with ``--head``); the same content must read the same on both sides.

Symlinks committed inside the repository are followed on both sides (no spurious
"changed"); submodules and Git LFS pointers are refused on both sides; a ``filter=``
attribute is a documented non-guarantee (SECURITY.md): the head is read as checked out,
so a filter that changes content shows as a change. Refs the pull request cannot push
(``refs/replace``) never change what the base reads.
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
    Dir,
    Link,
    files,
    gate_base,
    prices_file,
    spec,
)
from helpers import git, hello

SAME = "no cost change"
ATTRIBUTE = "re:git attribute|filter"
LFS = "version https://git-lfs.github.com/spec/v1\noid sha256:" + "a" * 64 + "\nsize 12345\n"
LFS_MSG = "Git LFS pointer"
MULTILINE = "".join(" hello" * 20 + "\n" for _ in range(10))


def same(id: str, base_extra: dict, **kw) -> Case:
    """The base commit and the untouched working tree: nothing may read as changed."""
    return Case(f"F-{id}", kw.pop("argv", DIFF), 0, SAME, base=gate_base(base_extra), **kw)


def gitlink(path: str, *, amend: bool = False):
    """Replace ``path`` in the last commit (``amend``) or a new one by a submodule entry."""
    def setup(ctx: Ctx) -> None:
        sha = git(ctx.repo, "rev-parse", "HEAD").strip()
        git(ctx.repo, "rm", "-q", "--cached", path)
        git(ctx.repo, "update-index", "--add", "--cacheinfo", f"160000,{sha},{path}")
        git(ctx.repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q",
            *(["--amend", "--no-edit"] if amend else ["-m", "submodule"]))
    return setup


def recheckout(path: str):
    """Check ``path`` out again, so the attributes committed with it apply to the work tree."""
    def setup(ctx: Ctx) -> None:
        (ctx.repo / path).unlink()
        git(ctx.repo, "checkout", "--", path)
    return setup


def local_filter(ctx: Ctx) -> None:
    """A filter defined in .git/config (a pull request cannot add this): smudge pads each line."""
    git(ctx.repo, "config", "filter.pad.smudge", "sed 's/$/ padding padding padding/'")
    git(ctx.repo, "config", "filter.pad.clean", "sed 's/ padding padding padding$//'")
    (ctx.repo / "prompts/system.j2").unlink()
    git(ctx.repo, "checkout", "--", "prompts/system.j2")


def replace_base_blob(ctx: Ctx) -> None:
    """refs/replace swaps the base template's blob for a tiny one: ignored by costgate."""
    old = git(ctx.repo, "rev-parse", "HEAD:prompts/system.j2").strip()
    (ctx.tmp / "tiny.txt").write_text("hi")
    new = git(ctx.repo, "hash-object", "-w", str(ctx.tmp / "tiny.txt")).strip()
    git(ctx.repo, "replace", old, new)


CASES: list[Case] = [
    # -- symlinks inside the repository read the same on both sides -----------------------
    same("symlinked-template", {"prompts/system.j2": Link("../real/system.txt"), "real/system.txt": hello(200)}),
    same("symlinked-prompts-dir", {"prompts/system.j2": None, "prompts": Link("real"), "real/system.j2": hello(200)}),
    same("symlink-chain", {"prompts/system.j2": Link("a.j2"), "prompts/a.j2": Link("../b/b.j2"),
                           "b/b.j2": Link("../c.j2"), "c.j2": hello(200)}),
    same("symlink-dot-segments", {"prompts/system.j2": Link("./../real/./x/../system.txt"),
                                  "real/system.txt": hello(200)}),
    same("symlinked-samples", {"queries.txt": Link("data/q.txt"), "data/q.txt": "hi there\nhow are you\n"}),
    same("symlinked-spec", {SPEC: Link("specs/bot.yaml"), "specs/bot.yaml": spec()},
         note="paths in a symlinked spec are relative to where the link is, on both sides"),
    same("symlinked-spec-dir", {SPEC: None, "llm": Link("specs"), "specs/bot.costgate.yaml": spec(
        system="{file: ../prompts/system.j2}", samples="{file: ../queries.txt}")},
         note="a symlinked directory is not descended by the glob on either side: nothing gated, no change"),
    same("symlinked-template-git-head", {"prompts/system.j2": Link("../real/system.txt"),
                                         "real/system.txt": hello(200)},
         argv=("diff", "-C", "@REPO@", "--base", "HEAD", "--head", "HEAD", "--as-of", "2026-11-01")),
    same("executable-template", {}, setup=lambda ctx: (git(ctx.repo, "update-index", "--chmod=+x",
                                                           "prompts/system.j2"),
                                                       (ctx.repo / "prompts/system.j2").chmod(0o755))),
    Case("F-symlink-retargeted-to-bigger", PR, 1, GROWTH,
         base=gate_base({"prompts/system.j2": Link("small.j2"), "prompts/small.j2": hello(200),
                         "prompts/big.j2": GROWN}),
         files={"prompts/system.j2": Link("big.j2")}, commit_head=True),
    Case("F-symlink-target-grows", PR_REFS, 1, GROWTH,
         base=gate_base({"prompts/system.j2": Link("../real/system.txt"), "real/system.txt": hello(200)}),
         files={"real/system.txt": GROWN}, commit_head=True),
    Case("F-symlink-dangling-at-head", PR_REFS, 2, "re:not found|symlink",
         base=gate_base({"prompts/system.j2": Link("../real/system.txt"), "real/system.txt": hello(200)}),
         files={"real/system.txt": None}, commit_head=True),
    Case("F-symlink-to-directory", DIFF, 2, "re:not a regular file|not found",
         base=gate_base({"prompts/system.j2": Link("../real"), "real/x.txt": "x"})),
    Case("F-absolute-symlink-into-repo-git-side", PR_REFS, 2, "re:leaves the repository|absolute symlink",
         base=gate_base(), files={"prompts/system.j2": Link("@REPO@/real/system.txt"), "real/system.txt": GROWN},
         commit_head=True, note="git cannot resolve an absolute target: refused"),
    Case("F-absolute-symlink-into-repo-work-tree-side", PR, 2, "re:leaves the repository|absolute symlink",
         base=gate_base(), files={"prompts/system.j2": Link("@REPO@/real/system.txt"), "real/system.txt": GROWN},
         commit_head=True),
    Case("F-symlink-loop-at-base", DIFF, 2, "re:symlinks|symbolic links|loop",
         base=gate_base({"prompts/system.j2": Link("system.j2")})),

    # -- submodules ------------------------------------------------------------------------
    Case("F-submodule-template-at-head", PR_REFS, 2, "submodule", base=gate_base(),
         setup=gitlink("prompts/system.j2")),
    Case("F-submodule-template-at-base", DIFF, 2, "submodule", base=gate_base(),
         setup=gitlink("prompts/system.j2", amend=True)),
    Case("F-submodule-samples-at-head", PR_REFS, 2, "submodule", base=gate_base(), setup=gitlink("queries.txt")),
    Case("F-submodule-work-tree-checkout", DIFF, 2, "submodule", base=gate_base(),
         files={"sub/.git": "gitdir: ../.git/modules/sub\n", "sub/prompt.j2": GROWN,
                SPEC: spec(system="{file: sub/prompt.j2}")}),
    Case("F-submodule-dir-at-head", PR_REFS, 2, "re:submodule|not found", base=gate_base(),
         files={SPEC: spec(system="{file: sub/prompt.j2}")}, commit_head=True,
         setup=lambda ctx: (git(ctx.repo, "update-index", "--add", "--cacheinfo",
                                f"160000,{git(ctx.repo, 'rev-parse', 'HEAD').strip()},sub"),
                            git(ctx.repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "sub"))),

    # -- Git LFS pointers ---------------------------------------------------------------------
    Case("F-lfs-template-work-tree", PR, 2, LFS_MSG, base=gate_base(), files={"prompts/system.j2": LFS},
         commit_head=True),
    Case("F-lfs-template-git-head", PR_REFS, 2, LFS_MSG, base=gate_base(), files={"prompts/system.j2": LFS},
         commit_head=True),
    Case("F-lfs-template-at-base", DIFF, 2, LFS_MSG, base=gate_base({"prompts/system.j2": LFS})),
    Case("F-lfs-samples", PR_REFS, 2, LFS_MSG, base=gate_base(), files={"queries.txt": LFS}, commit_head=True),
    Case("F-lfs-spec", PR_REFS, 2, LFS_MSG, base=gate_base(), files={"x.costgate.yaml": LFS}, commit_head=True),
    Case("F-lfs-base-config", DIFF, 2, LFS_MSG, base=gate_base({"costgate.yaml": LFS})),
    Case("F-lfs-base-price-layer", DIFF, 2, LFS_MSG,
         base=gate_base({"costgate.yaml": "pricing: [prices]\n", "prices/openai.yaml": LFS})),
    Case("F-lfs-estimate", ("estimate", "@REPO@/bot.costgate.yaml", "--as-of", "2026-11-01"), 2, LFS_MSG,
         files=files(prompt=LFS)),

    # -- attributes and filters ------------------------------------------------------------------
    Case("F-gitattributes-undefined-filter", DIFF, 2, ATTRIBUTE, base=gate_base({".gitattributes": "*.j2 filter=evil\n"}),
         note="documented: a filter attribute on a prompt is refused (base is read as committed, head as checked out)"),
    Case("F-gitattributes-defined-filter", DIFF, 2, ATTRIBUTE,
         base=gate_base({".gitattributes": "*.j2 filter=pad\n", "prompts/system.j2": MULTILINE}), setup=local_filter,
         note="a filter that pads lines on checkout: refused, never read as growth or as no change"),
    Case("F-gitattributes-filter-on-samples", DIFF, 2, ATTRIBUTE,
         base=gate_base({".gitattributes": "queries.txt filter=x\n"})),
    Case("F-gitattributes-filter-on-price-layer", DIFF, 0, SAME,
         base=gate_base({".gitattributes": "prices/* filter=x\n", "costgate.yaml": "pricing: [prices]\n",
                         "prices/openai.yaml": prices_file("gpt-4o")}),
         note="the table that judges comes from the base's git objects on both sides: a filter on it cannot make "
              "base and head differ"),
    Case("F-gitattributes-filter-both-sides-from-git", PR_REFS, 0, "re:no cost change|all thresholds hold",
         base=gate_base({".gitattributes": "*.j2 filter=x\n"}), files={"queries.txt": "hi there\nhow are you\n"},
         commit_head=True, note="both sides read from git objects: a filter cannot make them differ"),
    Case("F-gitattributes-working-tree-encoding", DIFF, 2, ATTRIBUTE,
         base=gate_base({".gitattributes": "*.j2 working-tree-encoding=UTF-16LE\n",
                         "prompts/system.j2": hello(200).encode("utf-16-le")}),
         note="the blob is UTF-8, the checkout UTF-16: refused rather than read differently on each side"),
    same("gitattributes-eol-crlf", {".gitattributes": "*.j2 text eol=crlf\n", "prompts/system.j2": MULTILINE},
         setup=recheckout("prompts/system.j2")),
    Case("F-gitattributes-ident", DIFF, 2, ATTRIBUTE,
         base=gate_base({".gitattributes": "*.j2 ident\n", "prompts/system.j2": "$Id$\n" + hello(200)}),
         setup=recheckout("prompts/system.j2"),
         note="ident expands $Id$ on checkout: refused rather than read as a change"),
    same("gitattributes-binary", {".gitattributes": "*.j2 binary\n"}),
    same("gitattributes-export-ignore", {".gitattributes": "*.j2 export-ignore\nprompts/** -diff\n"}),
    Case("F-replace-ref-ignored", DIFF, 1, GROWTH, base=gate_base(), files={"prompts/system.j2": GROWN},
         setup=replace_base_blob,
         note="refs/replace could make the base read a different blob; costgate reads the real objects"),

    # -- names git could read as options ------------------------------------------------------------
    same("template-named-like-an-option", {"prompts/--output=pwned.j2": hello(200),
                                           SPEC: spec(system='{file: "prompts/--output=pwned.j2"}')}),
    same("spec-named-like-an-option", {SPEC: None, "-p.costgate.yaml": spec()}),
    Case("F-renamed-to-option-like-name", PR, 1, GROWTH, base=gate_base(),
         files={SPEC: None, "--no-index.costgate.yaml": spec(), "prompts/system.j2": GROWN}, commit_head=True),
    same("empty-directory-in-tree", {"empty": Dir()}),
]

"""Includes, imports and extends read when the spec is loaded (costgate/spec/includes.py):
the path rule, the tree flattened onto the template, the spec's files, and every refusal
(missing, escaping, symlinked out, non-constant, cyclic, too deep, too many) as an error
at the including template's file and line. Rendering them is tests/estimate/test_includes.py."""

from __future__ import annotations

import os

import pytest
from helpers import QUERIES, commit, init_repo, write

from costgate.errors import CostgateError
from costgate.repo import GitTree, WorkTree
from costgate.spec import load_spec
from costgate.spec.includes import MAX_DEPTH, MAX_INCLUDES, references

SPEC = """\
version: 1
feature: bot
traffic: {{sessions_per_day: 100}}
samples: {{file: queries.txt}}
calls:
  - name: answer
    model: gpt-4o
    per_session: 1
    system: {system}
    user: {user}
"""


def bot(root, system: str = "{file: prompts/system.j2}", user: str = '"{{ query }}"', files=None):
    """Write the one-call spec and ``files``; load it from the work tree."""
    write(root, {"bot.costgate.yaml": SPEC.format(system=system, user=user), "queries.txt": QUERIES,
                 **(files or {})})
    return load_spec(root / "bot.costgate.yaml")


def refused(root, files, system: str = "{file: prompts/system.j2}", **kw) -> CostgateError:
    with pytest.raises(CostgateError) as info:
        bot(root, system, files=files, **kw)
    return info.value


# -------------------------------------------------------------------------- what is read

def test_every_tag_that_names_a_template_is_read_and_recorded(repo):
    spec = bot(repo, files={
        "prompts/system.j2": '{% extends "base.j2" %}{% block body %}{% include "policies.j2" %}'
                             '{% import "macros.j2" as m %}{% from "more.j2" import shout %}{% endblock %}',
        "prompts/base.j2": "Base {% block body %}{% endblock %}", "prompts/policies.j2": "Refunds: no.",
        "prompts/macros.j2": "{% macro f() %}f{% endmacro %}", "prompts/more.j2": "{% macro shout() %}!{% endmacro %}"})
    system = spec.call("answer").system
    assert [name for name, _ in system.includes] == ["base.j2", "policies.j2", "macros.j2", "more.j2"]
    assert dict(system.includes)["policies.j2"].text == "Refunds: no."
    assert dict(system.includes)["policies.j2"].file == "prompts/policies.j2"
    assert spec.files == ("bot.costgate.yaml", "prompts/system.j2", "prompts/base.j2", "prompts/policies.j2",
                          "prompts/macros.j2", "prompts/more.j2", "queries.txt")


def test_names_resolve_in_the_folder_of_the_template_the_spec_names_as_jinja_would(repo):
    """A partial in prompts/partials/ includes its sibling as "partials/b.j2", as it would
    under the application's FileSystemLoader("prompts"), not as "b.j2"."""
    spec = bot(repo, files={"prompts/system.j2": '{% include "partials/a.j2" %}',
                            "prompts/partials/a.j2": 'A {% include "partials/b.j2" %}', "prompts/partials/b.j2": "B"})
    assert [(n, t.file) for n, t in spec.call("answer").system.includes] == [
        ("partials/a.j2", "prompts/partials/a.j2"), ("partials/b.j2", "prompts/partials/b.j2")]
    err = refused(repo, {"prompts/partials/a.j2": 'A {% include "b.j2" %}'})
    assert (err.location.file, err.location.line, err.message) == (
        "prompts/partials/a.j2", 1, "{% include %}: file not found: prompts/b.j2")
    assert "prompts/, the folder of the template the spec names" in (err.hint or "")


def test_an_inline_template_resolves_in_the_spec_folder_and_trees_keep_their_own_names(repo):
    """The same name in two trees is two files: the system tree is rooted in prompts/, the
    inline user template's in the spec's folder."""
    spec = bot(repo, user="'{% include \"tone.j2\" %} {{ query }}'",
               files={"prompts/system.j2": '{% include "tone.j2" %}', "prompts/tone.j2": "system tone",
                      "tone.j2": "user tone"})
    call = spec.call("answer")
    assert dict(call.system.includes)["tone.j2"].file == "prompts/tone.j2"
    assert dict(call.user.includes)["tone.j2"].file == "tone.j2"


def test_a_partial_included_twice_or_by_two_calls_is_read_once(repo):
    spec = bot(repo, user="'{% include \"prompts/common.j2\" %}'",
               files={"prompts/system.j2": '{% include "a.j2" %}{% include "b.j2" %}{% include "common.j2" %}',
                      "prompts/a.j2": '{% include "common.j2" %}', "prompts/b.j2": '{% include "common.j2" %}',
                      "prompts/common.j2": "shared"})
    assert spec.files.count("prompts/common.j2") == 1
    assert [n for n, _ in spec.call("answer").system.includes] == ["a.j2", "common.j2", "b.j2"]


def test_a_template_without_includes_is_not_parsed_and_keeps_no_includes(repo):
    assert references("Hello {{ name }}, imported goods") == ()
    assert references("{% if %} include") == ()  # a syntax error: rendering reports it, at its line
    spec = bot(repo, files={"prompts/system.j2": "plain {{ query }}"})
    assert spec.call("answer").system.includes == ()


def test_a_template_that_does_not_parse_is_left_to_the_renderer(repo):
    spec = bot(repo, files={"prompts/system.j2": '{% include "a.j2" %}{% if %}'})
    assert spec.call("answer").system.includes == ()


def test_include_lists_take_the_first_that_exists_and_ignore_missing_allows_none(repo):
    spec = bot(repo, files={"prompts/system.j2": '{% include ["custom.j2", "default.j2"] %}'
                                                 '{% include "optional.j2" ignore missing %}',
                            "prompts/default.j2": "default"})
    assert [n for n, _ in spec.call("answer").system.includes] == ["default.j2"]
    # looked for and absent: listed, so the spec has no cache key (tests/gate/test_includes.py)
    assert {"prompts/custom.j2", "prompts/optional.j2"} <= set(spec.files)
    err = refused(repo, {"prompts/system.j2": 'x\n{% include ["custom.j2", "gone.j2"] %}', "prompts/default.j2": None})
    assert (err.location.line, err.message) == (2, "{% include %}: file not found: prompts/custom.j2")


def test_the_base_side_reads_includes_from_git_objects(tmp_path):
    root = init_repo(tmp_path / "repo")
    write(root, {"bot.costgate.yaml": SPEC.format(system="{file: prompts/system.j2}", user='"{{ query }}"'),
                 "queries.txt": QUERIES, "prompts/system.j2": '{% include "p.j2" %}', "prompts/p.j2": "committed"})
    commit(root)
    write(root, {"prompts/p.j2": "edited in the work tree"})
    at_base = load_spec("bot.costgate.yaml", GitTree(root, "HEAD"))
    at_head = load_spec("bot.costgate.yaml", WorkTree(root))
    assert dict(at_base.call("answer").system.includes)["p.j2"].text == "committed"
    assert dict(at_head.call("answer").system.includes)["p.j2"].text == "edited in the work tree"


# ------------------------------------------------------------------------- what is refused

@pytest.mark.parametrize("name,message", [
    ("../../etc/passwd", "{% include '../../etc/passwd' %}: path '../etc/passwd' leaves the repository"),
    ("/etc/passwd", "{% include '/etc/passwd' %}: path '/etc/passwd' leaves the repository"),
    ("../.git/config", "{% include '../.git/config' %}: path '.git/config' is inside .git"),
    ("missing.j2", "{% include %}: file not found: prompts/missing.j2"),
])
def test_a_bad_name_is_an_error_at_the_including_line(repo, name, message):
    err = refused(repo, {"prompts/system.j2": f'line one\n\n{{% include "{name}" %}}\n'})
    assert (err.location.file, err.location.line, err.message) == ("prompts/system.j2", 3, message)


def test_an_inline_template_errors_at_its_spec_line(repo):
    err = refused(repo, {}, system='|\n      line one\n      {% include "../../x.j2" %}')
    assert (err.location.file, err.location.line) == ("bot.costgate.yaml", 11)
    assert "leaves the repository" in err.message


def test_a_symlink_leaving_the_repository_is_refused(repo, tmp_path):
    (tmp_path / "secret.txt").write_text("SECRET\n")
    write(repo, {"prompts/system.j2": '{% include "link.j2" %}'})
    os.symlink("../../secret.txt", repo / "prompts" / "link.j2")
    err = refused(repo, {})
    assert (err.location.file, err.location.line) == ("prompts/system.j2", 1)
    assert "symlink that leaves the repository" in err.message and "SECRET" not in str(err)


def test_a_committed_symlink_leaving_the_repository_is_refused_at_base(tmp_path):
    root = init_repo(tmp_path / "repo")
    write(root, {"bot.costgate.yaml": SPEC.format(system="{file: prompts/system.j2}", user='"{{ query }}"'),
                 "queries.txt": QUERIES, "prompts/system.j2": '{% include "link.j2" %}'})
    os.symlink("../../secret.txt", root / "prompts" / "link.j2")
    commit(root)
    with pytest.raises(CostgateError) as info:
        load_spec("bot.costgate.yaml", GitTree(root, "HEAD"))
    assert info.value.location.file == "prompts/system.j2" and "leaves the repository" in info.value.message


@pytest.mark.parametrize("tag", [
    "{% include name %}", "{% include 'partials/' ~ lang ~ '.j2' %}", "{% extends layout %}",
    "{% import name as m %}", "{% from name import f %}", "{% import ['a.j2'] as m %}", "{% include [] %}",
    "{% include ['a.j2', name] %}", "{% include 42 %}",
])
def test_a_name_that_is_not_a_constant_string_is_refused(repo, tag):
    err = refused(repo, {"prompts/system.j2": "one\n" + tag})
    assert (err.location.file, err.location.line) == ("prompts/system.j2", 2)
    assert "names must be constant strings so costgate can read them at the base commit" in err.message


def test_a_cycle_is_named_at_the_including_line(repo):
    err = refused(repo, {"prompts/system.j2": 'top\n{% include "a.j2" %}', "prompts/a.j2": '{% include "b.j2" %}',
                         "prompts/b.j2": 'b\n\n{% import "a.j2" as again %}'})
    assert (err.location.file, err.location.line) == ("prompts/b.j2", 3)
    assert err.message == "{% import %} cycle: prompts/a.j2 -> prompts/b.j2 -> prompts/a.j2"
    err = refused(repo, {"prompts/system.j2": 'x {% extends "system.j2" %}'})
    assert err.message == "{% extends %} cycle: prompts/system.j2 -> prompts/system.j2"


def test_chains_deeper_than_the_bound_are_refused(repo):
    chain = {f"prompts/p{i}.j2": f'{{% include "p{i + 1}.j2" %}}' for i in range(MAX_DEPTH)}
    ok = bot(repo, files={"prompts/system.j2": '{% include "p1.j2" %}', **chain, f"prompts/p{MAX_DEPTH}.j2": "end"})
    assert len(ok.call("answer").system.includes) == MAX_DEPTH
    err = refused(repo, {f"prompts/p{MAX_DEPTH}.j2": f'{{% include "p{MAX_DEPTH + 1}.j2" %}}',
                         f"prompts/p{MAX_DEPTH + 1}.j2": "end"})
    assert (err.location.file, err.location.line) == (f"prompts/p{MAX_DEPTH}.j2", 1)
    assert f"over {MAX_DEPTH} deep" in err.message


def test_trees_of_more_files_than_the_bound_are_refused(repo):
    many = {f"prompts/p{i}.j2": str(i) for i in range(MAX_INCLUDES + 1)}
    tags = "".join(f'{{% include "p{i}.j2" %}}\n' for i in range(MAX_INCLUDES + 1))
    err = refused(repo, {"prompts/system.j2": tags, **many})
    assert (err.location.file, err.location.line) == ("prompts/system.j2", MAX_INCLUDES + 1)
    assert f"over {MAX_INCLUDES} files" in err.message

"""The one depth guard for the files people write (pamong_edx/nesting.py): TOML, JSON and YAML flow text counted
before parsing, YAML block nesting refused by the composer; what sits in strings and comments never counts."""

from __future__ import annotations

import pytest
import yaml

from pamong_edx.nesting import MAX_DEPTH, DepthLimit, TooDeep, check, depth, toml_loads

N = 100_000


@pytest.mark.parametrize("text", [
    "x = " + "[" * N + "]" * N + "\n",  # arrays
    "x = " + "{a = " * N + "1" + "}" * N + "\n",  # inline tables
    "x = " + "[{a = " * (N // 2) + "1" + "}]" * (N // 2) + "\n",
    ".".join(["a"] * N) + " = 1\n",  # dotted keys: tomllib takes minutes over these
    ".".join(['"a"'] * N) + " = 1\n",
    "[" + ".".join(["a"] * N) + "]\n",  # a table header
])
def test_toml_nested_without_end_is_refused_before_tomllib_reads_it(text):
    with pytest.raises(TooDeep, match=f"arrays or tables nested deeper than {MAX_DEPTH} levels"):
        toml_loads(text)


def test_brackets_and_dots_in_strings_and_comments_are_not_counted():
    toml = ('a = "' + "[" * 500 + '"\nb = \'{{{{.x.x.x\'\n# [[[[[[ a.b.c.d.e\nc = """\n' + "[" * 500 + '\n"""\n'
            'd = [[1.5, 2.25], {x.y.z = 3}]\n[t."u.v"]\nw = 1\n')
    assert depth(toml, "toml") == 3  # [[ ]] around numbers; x.y.z
    assert toml_loads(toml)["d"] == [[1.5, 2.25], {"x": {"y": {"z": 3}}}]
    assert depth('["]]]", "[[[", {"a": [1]}]', "json") == 3
    assert depth("a: ['[[[', \"{{\"]  # [[[[[\n", "yaml") == 1
    check("[" * MAX_DEPTH + "]" * MAX_DEPTH, "json")  # at the limit: read
    with pytest.raises(TooDeep):
        check("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "json")


class Loader(DepthLimit, yaml.SafeLoader):
    pass


def test_yaml_block_nesting_is_refused_by_the_composer_at_the_node():
    fine = "a:\n" + "".join(f"{'  ' * i}- \n" for i in range(1, MAX_DEPTH - 1))
    assert yaml.compose(fine, Loader=Loader) is not None
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        yaml.compose("a:\n" + "- " * N + "x\n", Loader=Loader)
    assert caught.value.problem == f"lists or mappings nested deeper than {MAX_DEPTH} levels"
    # the mapping, then a list per "- ": the one that opens level MAX_DEPTH + 1 is named
    assert (caught.value.problem_mark.line, caught.value.problem_mark.column) == (1, 2 * (MAX_DEPTH - 1))

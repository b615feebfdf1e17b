"""template.yaml is read with libyaml's parser where PyYAML has it (about 30 times faster than the pure-Python
one: every test's moto stack reads the template), and reads exactly as the pure-Python loader reads it."""

from __future__ import annotations

from typing import Any, cast

import yaml

from infra.template import TEMPLATE_PATH, _construct_tag, load_template


class _PurePythonCfnLoader(yaml.SafeLoader):
    """The loader template.py used before: PyYAML's pure-Python SafeLoader with the same short-form tags."""


_PurePythonCfnLoader.add_multi_constructor("!", _construct_tag)


def test_the_template_reads_the_same_as_with_the_pure_python_loader() -> None:
    with TEMPLATE_PATH.open(encoding="utf-8") as fh:
        expected = cast(dict[str, Any], yaml.load(fh, Loader=_PurePythonCfnLoader))  # noqa: S506 - SafeLoader
    assert load_template() == expected
    assert expected["Resources"]  # the comparison is over the whole template, not an empty document


def test_the_template_is_parsed_by_libyaml_where_pyyaml_has_it() -> None:
    from infra import template

    assert yaml.__with_libyaml__  # PyYAML's wheels bundle libyaml; the suite's speed counts on it
    assert issubclass(template._CfnLoader, yaml.CSafeLoader)

"""Checklist files as YAML text: reading with located problems, writing for people.

Reading uses libyaml's parser when PyYAML has it (the catalogue is read at start-up) with
PyYAML's safe constructors, records duplicate mapping keys instead of silently keeping the
last one, and turns anything that cannot be read (bad encoding, syntax, a value such as
``2026-13-45``) into a :class:`YamlError` carrying the line.
"""
from __future__ import annotations

import codecs
from typing import Any

import yaml

from .values import NOT_PRINTABLE, describe

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_INTEGER_TEXT = 4000      # Python refuses to convert longer digit strings to int
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))


class YamlError(Exception):
    """The text cannot be read as one YAML mapping; ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line, self.message = line, message


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as exc:  # PyYAML's constructors fail in many ways: 2026-13-45, !!int ''
            shown = repr(node.value[:40]) if isinstance(node.value, str) else "this value"
            detail = f" ({exc})" if isinstance(exc, ValueError) and str(exc) else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {shown} as {node.tag.rsplit(':', 1)[-1]}{detail}",
                node.start_mark) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        if len(node.value) > MAX_INTEGER_TEXT:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read a number of {len(node.value)} characters (at most "
                            f"{MAX_INTEGER_TEXT} can be read)", node.start_mark)
        return super().construct_yaml_int(node)

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            first_line: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    earlier = first_line.get(key)
                except TypeError:        # an unhashable key: the base class reports it
                    continue
                if earlier is None:
                    first_line[key] = line
                else:
                    self.duplicates.append((line, f"duplicate key {key!r}: it is already given "
                                                  f"on line {earlier}; each key may appear once"))
        return super().construct_mapping(node, deep)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def read_yaml(source: str | bytes) -> tuple[dict, list[tuple[int, str]]]:
    """The top-level mapping and the duplicate keys found in it (line, message).

    Raises :class:`YamlError` when the text is not one YAML document holding a mapping.
    """
    text = _decode(source)
    bad = NOT_PRINTABLE.search(text)
    if bad:
        raise YamlError(text.count("\n", 0, bad.start()) + 1,
                        f"the file contains the character U+{ord(bad.group()):04X}, which YAML "
                        "does not allow")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlError(1, "the file is empty; a checklist file is a YAML mapping of fields "
                               "(id, version, title, …)")
        if not isinstance(node, yaml.MappingNode):
            found = "a list" if isinstance(node, yaml.SequenceNode) else \
                describe(loader.construct_document(node))
            raise YamlError(node.start_mark.line + 1, "the top level must be a mapping of fields "
                                                      f"(id, version, title, …), found {found}")
        return loader.construct_document(node), loader.duplicates
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(mark.line + 1 if mark else 1, _syntax_message(exc)) from None
    except yaml.YAMLError as exc:
        raise YamlError(1, f"the file cannot be read as YAML: {exc}") from None
    except RecursionError:
        raise YamlError(1, "the YAML is nested too deeply to be read") from None
    finally:
        loader.dispose()


def _decode(source: str | bytes) -> str:
    if isinstance(source, str):
        return source
    codec = next((c for bom, c in BOMS if source.startswith(bom)), "utf-8")
    try:
        return source.decode(codec)
    except UnicodeDecodeError as exc:
        line = source.count(b"\n", 0, exc.start) + 1
        raise YamlError(line, f"the file is not {codec.upper().removesuffix('-SIG')} text (byte "
                              f"0x{source[exc.start]:02x} cannot be decoded); save it as UTF-8 (a "
                              "file saved as GBK needs converting)") from None


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    if isinstance(exc, yaml.constructor.ConstructorError) and not exc.context:
        return str(exc.problem)              # a value that YAML parsed but cannot be built
    problem, context = exc.problem or "", exc.context or ""
    elsewhere = exc.context_mark and exc.problem_mark and \
        exc.context_mark.line != exc.problem_mark.line
    if problem.startswith("but ") and context:  # "expected …" / "but found …"
        see = f" (see line {exc.context_mark.line + 1})" if elsewhere else ""
        return f"invalid YAML: {context}, {problem}{see}"
    if problem and context:
        starts = f" that starts on line {exc.context_mark.line + 1}" if elsewhere else ""
        return f"invalid YAML: {problem} ({context}{starts})"
    return f"invalid YAML: {problem or context or 'cannot be parsed'}"


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists, as the checklist files are written by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None   # the emitter falls back to quotes when it must
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class FlowMapping(dict):
    """A mapping written on one line: ``{services: 510, environment: 96}``."""


def _represent_flow(dumper: yaml.SafeDumper, value: FlowMapping) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(FlowMapping, _represent_flow)


def write_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=1_000_000)

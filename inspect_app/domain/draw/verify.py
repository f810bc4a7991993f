"""Checking a published 双随机 draw from its three files (``flask draw verify``).

A citizen downloads the frozen lists, the draw input and the draw result from the draw's public
page, and may copy from that page the values published with them (list digest and commitment
at the freeze, output SHA-256 at the draw, secret and third-party value at publication). The
checks, in order (:data:`CHECKS`):

1. the list digest of the lists file is the one published at the freeze;
2. the input without its ``seed`` is exactly the lists (same content: spacing and key order do
   not matter, as for the digest);
3. the revealed secret matches the commitment published at the freeze;
4. the input's seed is derived from the list digest, the secret and the third-party value
   (:mod:`.seed_commit`);
5. the result names the digest of the input;
6. running the draw on the input gives the result file byte for byte;
7. the SHA-256 of the result file is the one published at the draw.

A check whose page value is not given is *not checked* (and says what to give), never passed.
Files that cannot be read, are not JSON, or whose input is not a valid draw input are
:class:`UnreadableDraw` with every problem located (``<file>: line 3 column 5: …``). Pure: bytes
in, checks out; no clock, no database, nothing that depends on the operating system.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from . import seed_commit
from .run import InfeasibleDraw, InvalidDrawInput, input_digest, load_draw_input, run_draw

CHECKS = (
    "the list digest of the lists file is the one published at the freeze",
    "the input file without its seed is exactly the lists file",
    "the revealed secret matches the commitment published at the freeze",
    "the seed comes from the list digest, the secret and the third-party value",
    "the result file names the digest of the input file",
    "running the draw on the input file gives the result file byte for byte",
    "the SHA-256 of the result file is the one published at the draw",
)
HEX64 = re.compile(r"[0-9a-f]{64}")


class UnreadableDraw(ValueError):
    """The files cannot be checked; ``problems`` are located, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Published:
    """Values copied from the draw's page (None: not given). Hex values in lowercase."""

    list_digest: str | None = None
    commitment: str | None = None
    secret: str | None = None
    third_party_value: str | None = None
    output_sha256: str | None = None

    HEX_FIELDS = ("list_digest", "commitment", "secret", "output_sha256")

    @classmethod
    def parse(cls, **values: str | None) -> Published:
        """Values as typed (hex in any case, surrounding spaces ignored); :class:`UnreadableDraw`
        naming the option of each malformed one."""
        out, problems = {}, []
        for name, value in values.items():
            if value is None:
                out[name] = None
                continue
            text = value.strip()
            if name in cls.HEX_FIELDS:
                text = text.lower()
                if not HEX64.fullmatch(text):
                    problems.append(f"--{name.replace('_', '-')}: must be 64 hexadecimal digits, not {value!r}")
            elif not text:
                problems.append(f"--{name.replace('_', '-')}: must not be empty")
            out[name] = text
        if problems:
            raise UnreadableDraw(problems)
        return cls(**out)


@dataclass(frozen=True)
class Check:
    title: str
    passed: bool | None        # None: not checked (a page value was not given)
    detail: str = ""


@dataclass(frozen=True)
class DrawFiles:
    lists: dict
    input: dict                # as ``json.loads`` reads it (the digest's view)
    input_bytes: bytes
    output: dict
    output_bytes: bytes


def read_files(lists: bytes, input_: bytes, output: bytes,
               names: tuple[str, str, str] = ("lists", "input", "output")) -> DrawFiles:
    """Parse the three files; :class:`UnreadableDraw` with every problem, each prefixed by the
    file's name from ``names``."""
    problems: list[str] = []
    lists_doc = _json_object(lists, names[0], problems)
    if isinstance(lists_doc, dict) and "seed" in lists_doc:
        problems.append(f"{names[0]}: has a seed, so it is not the frozen lists (the draw input?); "
                        "give the files in the order: lists, input, result")
    input_doc = None
    try:
        load_draw_input(input_)
        input_doc = json.loads(input_)          # as the digest reads it (floats, not decimals)
    except InvalidDrawInput as error:
        problems.extend(f"{names[1]}: {problem}" for problem in error.problems)
    output_doc = _json_object(output, names[2], problems)
    if problems:
        raise UnreadableDraw(problems)
    return DrawFiles(lists_doc, input_doc, input_, output_doc, output)


def _json_object(data: bytes, name: str, problems: list[str]) -> dict | None:
    try:
        document = json.loads(data)
    except json.JSONDecodeError as error:
        problems.append(f"{name}: line {error.lineno} column {error.colno}: {error.msg}")
        return None
    except UnicodeDecodeError as error:
        problems.append(f"{name}: not UTF-8 text ({error.reason} at byte {error.start})")
        return None
    except (RecursionError, ValueError) as error:
        problems.append(f"{name}: not readable JSON ({type(error).__name__})")
        return None
    if not isinstance(document, dict):
        problems.append(f"{name}: must be a JSON object, not {type(document).__name__}")
        return None
    return document


def check_draw(files: DrawFiles, published: Published = Published()) -> list[Check]:
    """Every check of :data:`CHECKS`, in order."""
    list_digest = input_digest(files.lists)
    without_seed = {k: v for k, v in files.input.items() if k != "seed"}
    seed = files.input.get("seed")
    digest = input_digest(files.input)
    output_sha = hashlib.sha256(files.output_bytes).hexdigest()
    p = published
    return [
        _compare(CHECKS[0], list_digest, p.list_digest, "list digest", "--list-digest"),
        Check(CHECKS[1], input_digest(without_seed) == list_digest,
              "" if input_digest(without_seed) == list_digest else
              "the lists, ratios or limits of the input differ from the frozen lists"),
        _commitment(CHECKS[2], list_digest, p),
        _seed(CHECKS[3], list_digest, seed, p),
        Check(CHECKS[4], files.output.get("digest") == digest,
              "" if files.output.get("digest") == digest else
              f"the result names {files.output.get('digest')!r}, the input's digest is {digest}"),
        _rerun(CHECKS[5], files),
        _compare(CHECKS[6], output_sha, p.output_sha256, "SHA-256", "--output-sha256"),
    ]


def _compare(title: str, actual: str, published: str | None, what: str, option: str) -> Check:
    if published is None:
        return Check(title, None, f"its {what} is {actual}; compare it with the draw's page or give {option}")
    if actual == published:
        return Check(title, True)
    return Check(title, False, f"its {what} is {actual}, the page gives {published}")


def _commitment(title: str, list_digest: str, p: Published) -> Check:
    if p.commitment is None or p.secret is None:
        return Check(title, None, "give --commitment and --secret from the draw's page")
    if seed_commit.commitment(list_digest, p.secret) == p.commitment:
        return Check(title, True)
    return Check(title, False, "this secret does not give that commitment")


def _seed(title: str, list_digest: str, seed: object, p: Published) -> Check:
    if p.secret is None or p.third_party_value is None:
        return Check(title, None, "give --secret and --third-party-value from the draw's page "
                                  "(take the value from the third party's own publication)")
    expected = seed_commit.seed(list_digest, p.secret, p.third_party_value)
    if expected == seed:
        return Check(title, True)
    return Check(title, False, f"they give the seed {expected}, the input has {seed!r}")


def _rerun(title: str, files: DrawFiles) -> Check:
    try:
        result = run_draw(load_draw_input(files.input_bytes)).to_json().encode("utf-8")
    except InfeasibleDraw as error:
        return Check(title, False, "the rules cannot all be met with this input: "
                                   + "; ".join(error.message.splitlines()))
    if result == files.output_bytes:
        return Check(title, True)
    return Check(title, False, _difference(result, files.output_bytes))


def _difference(expected: bytes, actual: bytes) -> str:
    if expected == actual.replace(b"\r\n", b"\n"):
        return "the result file differs only in line endings: it was changed after it was downloaded"
    if actual.startswith(b"\xef\xbb\xbf") and expected == actual[3:]:
        return "the result file starts with a byte order mark: it was changed after it was downloaded"
    mine, theirs = expected.split(b"\n"), actual.split(b"\n")
    for number, (a, b) in enumerate(zip(mine, theirs), start=1):
        if a != b:
            return f"the result file differs from line {number} on"
    return f"the result file has {len(theirs) - 1} lines, the draw gives {len(mine) - 1}"

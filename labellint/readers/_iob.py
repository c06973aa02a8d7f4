"""Entity spans from IOB1/IOB2/BIOES token tags: one home for the CoNLL reader and token tables (Parquet)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from labellint.readers._text import TextBuilder

SCHEMES = ("iob1", "iob2", "bioes")
# A tag the schemes know: O, or a B-/I-/E-/S- prefix and an entity type.
TAG = re.compile(r"^(O|[BIES]-\S+)$")


@dataclass(slots=True)
class Sentence:
    """One sentence's tokens and tags, and where each token is written.

    A line-based file gives each token's line; a table gives the sentence's row (`index`) and a
    JSON pointer prefix (`pointer`, e.g. `/rows/3/ner_tags`) that the token's position completes.
    """

    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    docstart: bool = False
    item_id: Any = None
    index: int = 0
    pointer: str | None = None


def guess_scheme(sentences: list[Sentence]) -> str:
    """`bioes` if any `E-`/`S-` tag, `iob2` if some `B-` opens an entity after another type or O, else `iob1`."""
    tags = [tag for s in sentences for tag in s.tags]
    if any(tag[0] in "ES" for tag in tags):
        return "bioes"
    for s in sentences:
        for k, tag in enumerate(s.tags):
            if tag[0] == "B" and (k == 0 or s.tags[k - 1][2:] != tag[2:]):
                return "iob2"  # a B- that opens an entity after O: IOB2's way
    return "iob1"


def add_sentence(builder: TextBuilder, sentence: Sentence, scheme: str) -> None:
    """The sentence as one item (tokens joined by single spaces) and its entities as spans."""
    if sentence.tokens:
        _Entities(builder, sentence, scheme).read()


class _Entities:
    """Reads the entities of one sentence under a scheme, noting tags the scheme does not allow."""

    def __init__(self, builder: TextBuilder, sentence: Sentence, scheme: str) -> None:
        self.builder, self.sentence, self.scheme = builder, sentence, scheme
        self.offsets: list[int] = []
        position = 0
        for token in sentence.tokens:
            self.offsets.append(position)
            position += len(token) + 1
        item_id = len(builder.item_ids) + 1 if sentence.item_id is None else sentence.item_id
        text = " ".join(sentence.tokens)
        self.item = builder.add_item(item_id, text, line=self.line(0), index=sentence.index)
        self.start: int | None = None  # first token of the open entity
        self.kind = ""
        self.faults: dict[str, Any] | None = None

    def line(self, k: int) -> int:
        return self.sentence.lines[k] if self.sentence.lines else 0

    def read(self) -> None:
        tags = self.sentence.tags
        for k, tag in enumerate(tags):
            prefix, kind = tag[0], tag[2:]
            fault = self.fault(k, prefix, kind)
            continues = self.start is not None and kind == self.kind and prefix in ("I", "E")
            if not continues:
                self.close(k)
                if prefix != "O":
                    self.start, self.kind = k, kind
            if fault and self.faults is None:
                self.faults = fault
            if prefix in ("E", "S"):
                self.close(k + 1)
        self.close(len(tags))

    def fault(self, k: int, prefix: str, kind: str) -> dict[str, Any] | None:
        """Why tag `k` is not allowed after the one before it (None: it is), and where the tag is."""
        tags = self.sentence.tags
        previous = tags[k - 1] if k else "O"
        p_prefix, p_kind = previous[0], previous[2:]
        open_before = p_prefix in ("B", "I") and p_kind == kind
        message = None
        if self.scheme == "iob2" and prefix == "I" and not open_before:
            message = f"{tags[k]} after {previous}: in IOB2 an entity starts with B-{kind}"
        elif self.scheme == "bioes":
            if prefix in ("I", "E") and not open_before:
                message = f"{tags[k]} after {previous}: in BIOES an entity starts with B-{kind} or is S-{kind}"
            following = tags[k + 1] if k + 1 < len(tags) else "O"
            if prefix in ("B", "I") and not (following[0] in ("I", "E") and following[2:] == kind):
                message = f"{tags[k]} before {following}: in BIOES an entity ends with E-{kind}"
        if message is None:
            return None
        if self.sentence.pointer is not None:
            return {"pointer": f"{self.sentence.pointer}/{k}", "message": message}
        return {"line": self.line(k), "message": message}

    def close(self, end: int) -> None:
        if self.start is None:
            return
        offsets, tokens = self.offsets, self.sentence.tokens
        first, last = offsets[self.start], offsets[end - 1] + len(tokens[end - 1])
        text = " ".join(tokens[self.start : end])
        a = self.builder.add_annotation(
            self.item, self.kind, line=self.line(self.start), index=self.sentence.index, span=(first, last), text=text
        )
        if self.faults:
            self.builder.ann_fields[a] = {"tag_sequence": self.faults}
        self.start, self.faults = None, None

"""CoNLL / IOB reader: one token a line, blank lines between sentences, entity tags in a column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from labellint.model import Dataset, SourceFile
from labellint.readers._encoding import not_utf8
from labellint.readers._text import TextBuilder
from labellint.readers.base import ReadContext, Reader, issue

SUFFIXES = (".conll", ".conll03", ".iob", ".iob1", ".iob2", ".bio", ".bioes", ".txt")
_TAG = re.compile(r"^(O|[BIES]-\S+)$")
SCHEMES = ("iob1", "iob2", "bioes")


class ConllOptions(msgspec.Struct, forbid_unknown_fields=True):
    """Which columns hold the token and the tag, and the tagging scheme (found when unset)."""

    token_column: int = 0
    tag_column: int = -1
    scheme: str | None = None
    delimiter: str | None = None


class ConllReader(Reader):
    """Reads CoNLL-2003-style files: `token ... tag` columns, `-DOCSTART-` lines, blank-line sentences.

    Every sentence is an item whose text is its tokens joined by single spaces; every entity a
    span over it (character offsets), at the line of its first token. Options: `token_column`
    (default 0), `tag_column` (default -1, the last), `delimiter` (default: any whitespace),
    `scheme` (`iob1`, `iob2`, `bioes`; default: `bioes` if any `E-`/`S-` tag, `iob1` if every
    `B-` only separates two entities of one type, else `iob2`). Tag sequences the scheme does not
    allow (`I-X` after `O` in IOB2, `I-X` after `B-Y`, an unclosed BIOES entity) are read the
    way conlleval reads them (the token starts an entity) and kept for LL307.
    """

    name = "conll"
    suffixes = SUFFIXES
    description = "CoNLL/IOB NER: token and tag columns, IOB1/IOB2/BIOES, -DOCSTART-, blank-line sentences"

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() not in SUFFIXES:
            return False
        lines = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace").splitlines()[:-1] or [""]
        rows = [line.split() for line in lines[:50] if line.strip()]
        if rows and rows[0][0] == "-DOCSTART-":
            return True
        # Every line of the head has a token and a tag, and some tag names an entity.
        tagged = all(len(r) >= 2 and _TAG.match(r[-1]) for r in rows)
        return len(rows) >= 2 and tagged and any(r[-1] != "O" for r in rows)

    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        display = context.display(path)
        builder = TextBuilder(SourceFile(path=display, reader=self.name))
        try:
            options = msgspec.convert(context.options or {}, ConllOptions)
        except msgspec.ValidationError as exc:
            builder.issues.append(issue("LL002", f"invalid conll reader options: {exc}", display))
            return builder.build()
        if options.scheme is not None and options.scheme not in SCHEMES:
            message = f"unknown scheme {options.scheme!r} (one of {', '.join(SCHEMES)})"
            builder.issues.append(issue("LL002", message, display))
            return builder.build()
        try:
            text = context.read_bytes(path).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            builder.issues.append(issue("LL001", not_utf8(exc), display))
            return builder.build()
        sentences = _sentences(text, options, builder)
        scheme = options.scheme or _guess_scheme(sentences)
        builder.source.meta["scheme"] = scheme
        builder.source.meta["documents"] = sum(1 for s in sentences if s.docstart)
        for sentence in sentences:
            if sentence.tokens:
                _Entities(builder, sentence, scheme).read()
        return builder.build()


@dataclass(slots=True)
class _Sentence:
    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    docstart: bool = False


def _sentences(text: str, options: ConllOptions, builder: TextBuilder) -> list[_Sentence]:
    """Sentences of tokens and tags; malformed lines are LL002 and left out of their sentence."""
    out: list[_Sentence] = [_Sentence()]
    display, delimiter = builder.source.path, options.delimiter
    token_at, tag_at = options.token_column, options.tag_column
    for number, line in enumerate(text.splitlines(), 1):
        cells = line.split(delimiter) if delimiter else line.split()
        if not cells or not line.strip():
            if out[-1].tokens:
                out.append(_Sentence())
            continue
        if cells[0] == "-DOCSTART-":
            if out[-1].tokens:
                out.append(_Sentence())
            out[-1].docstart = True
            continue
        try:
            if len(cells) < 2:
                raise IndexError
            token, tag = cells[token_at], cells[tag_at].strip()
        except IndexError:
            message = f"expected a token and a tag (columns {token_at} and {tag_at}), found {len(cells)} columns"
            builder.issues.append(issue("LL002", message, display, line=number, column=1))
            continue
        if not _TAG.match(tag):
            message = f"tag {tag!r} is neither O nor B-/I-/E-/S- and an entity type"
            builder.issues.append(issue("LL002", message, display, line=number, column=1))
            tag = "O"  # the token is kept (the text stays whole); it names no entity
        sentence = out[-1]
        sentence.tokens.append(token)
        sentence.tags.append(tag)
        sentence.lines.append(number)
    return out


def _guess_scheme(sentences: list[_Sentence]) -> str:
    tags = [tag for s in sentences for tag in s.tags]
    if any(tag[0] in "ES" for tag in tags):
        return "bioes"
    for s in sentences:
        for k, tag in enumerate(s.tags):
            if tag[0] == "B" and (k == 0 or s.tags[k - 1][2:] != tag[2:]):
                return "iob2"  # a B- that opens an entity after O: IOB2's way
    return "iob1"


class _Entities:
    """Reads the entities of one sentence under a scheme, noting tags the scheme does not allow."""

    def __init__(self, builder: TextBuilder, sentence: _Sentence, scheme: str) -> None:
        self.builder, self.sentence, self.scheme = builder, sentence, scheme
        self.offsets: list[int] = []
        position = 0
        for token in sentence.tokens:
            self.offsets.append(position)
            position += len(token) + 1
        self.item = builder.add_item(len(builder.item_ids) + 1, " ".join(sentence.tokens), line=sentence.lines[0])
        self.start: int | None = None  # first token of the open entity
        self.kind = ""
        self.faults: dict[str, Any] | None = None

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
        """Why tag `k` is not allowed after the one before it (None: it is)."""
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
        return {"line": self.sentence.lines[k], "message": message}

    def close(self, end: int) -> None:
        if self.start is None:
            return
        offsets, tokens = self.offsets, self.sentence.tokens
        first, last = offsets[self.start], offsets[end - 1] + len(tokens[end - 1])
        text = " ".join(tokens[self.start : end])
        a = self.builder.add_annotation(
            self.item, self.kind, line=self.sentence.lines[self.start], span=(first, last), text=text
        )
        if self.faults:
            self.builder.ann_fields[a] = {"tag_sequence": self.faults}
        self.start, self.faults = None, None

"""CoNLL / IOB reader: one token a line, blank lines between sentences, entity tags in a column."""

from __future__ import annotations

import itertools
from pathlib import Path

import msgspec
import numpy as np

from labellint.model import Dataset, SourceFile
from labellint.readers._encoding import not_utf8
from labellint.readers._iob import SCHEMES, TAG, Sentences, add_sentences
from labellint.readers._text import TextBuilder
from labellint.readers.base import ReadContext, Reader, issue
from labellint.support.gc_pause import gc_paused

SUFFIXES = (".conll", ".conll03", ".iob", ".iob1", ".iob2", ".bio", ".bioes", ".txt")


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
        tagged = all(len(r) >= 2 and TAG.match(r[-1]) for r in rows)
        return len(rows) >= 2 and tagged and any(r[-1] != "O" for r in rows)

    @gc_paused
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
        sentences, documents = _sentences(text, options, builder)
        builder.source.meta["scheme"] = add_sentences(builder, sentences, options.scheme)
        builder.source.meta["documents"] = documents
        return builder.build()


def _sentences(text: str, options: ConllOptions, builder: TextBuilder) -> tuple[Sentences, int]:
    """The file's sentences (blank lines and `-DOCSTART-` end one) and how many documents it
    marks; malformed lines are LL002 and left out of their sentence."""
    display, delimiter = builder.source.path, options.delimiter
    token_at, tag_at = options.token_column, options.tag_column
    tokens: list[str] = []
    codes: list[int] = []
    lines: list[int] = []
    offsets = [0]
    vocabulary = {"O": 0}  # every tag seen that TAG matches -> its code
    documents, marked = 0, False  # marked: the sentence being read follows a -DOCSTART-
    for number, line in enumerate(text.splitlines(), 1):
        cells = line.split(delimiter) if delimiter else line.split()
        if not cells or not line.strip() or cells[0] == "-DOCSTART-":
            if offsets[-1] != len(tokens):  # the sentence read so far ends here
                offsets.append(len(tokens))
                marked = False
            if cells and cells[0] == "-DOCSTART-" and not marked:
                documents, marked = documents + 1, True
            continue
        try:
            if len(cells) < 2:
                raise IndexError
            token, tag = cells[token_at], cells[tag_at].strip()
        except IndexError:
            message = f"expected a token and a tag (columns {token_at} and {tag_at}), found {len(cells)} columns"
            builder.issues.append(issue("LL002", message, display, line=number, column=1))
            continue
        code = vocabulary.get(tag)
        if code is None:
            if TAG.match(tag):
                code = vocabulary[tag] = len(vocabulary)
            else:
                message = f"tag {tag!r} is neither O nor B-/I-/E-/S- and an entity type"
                builder.issues.append(issue("LL002", message, display, line=number, column=1))
                code = 0  # the token is kept (the text stays whole); it names no entity
        tokens.append(token)
        codes.append(code)
        lines.append(number)
    if offsets[-1] != len(tokens):
        offsets.append(len(tokens))
    texts = [" ".join(tokens[a:b]) for a, b in itertools.pairwise(offsets)]
    sentences = Sentences(
        names=list(vocabulary),
        codes=np.asarray(codes, np.intp),
        lengths=np.fromiter(map(len, tokens), np.int64, len(tokens)),
        offsets=np.asarray(offsets, np.int64),
        ids=list(range(1, len(texts) + 1)),
        texts=texts,
        lines=np.asarray(lines, np.int64),
    )
    return sentences, documents

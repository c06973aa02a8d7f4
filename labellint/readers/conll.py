"""CoNLL / IOB reader: one token a line, blank lines between sentences, entity tags in a column."""

from __future__ import annotations

from pathlib import Path

import msgspec

from labellint.model import Dataset, SourceFile
from labellint.readers._encoding import not_utf8
from labellint.readers._iob import SCHEMES, TAG, Sentence, add_sentence, guess_scheme
from labellint.readers._text import TextBuilder
from labellint.readers.base import ReadContext, Reader, issue

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
        scheme = options.scheme or guess_scheme(sentences)
        builder.source.meta["scheme"] = scheme
        builder.source.meta["documents"] = sum(1 for s in sentences if s.docstart)
        for sentence in sentences:
            add_sentence(builder, sentence, scheme)
        return builder.build()


def _sentences(text: str, options: ConllOptions, builder: TextBuilder) -> list[Sentence]:
    """Sentences of tokens and tags; malformed lines are LL002 and left out of their sentence."""
    out: list[Sentence] = [Sentence()]
    display, delimiter = builder.source.path, options.delimiter
    token_at, tag_at = options.token_column, options.tag_column
    for number, line in enumerate(text.splitlines(), 1):
        cells = line.split(delimiter) if delimiter else line.split()
        if not cells or not line.strip():
            if out[-1].tokens:
                out.append(Sentence())
            continue
        if cells[0] == "-DOCSTART-":
            if out[-1].tokens:
                out.append(Sentence())
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
        if not TAG.match(tag):
            message = f"tag {tag!r} is neither O nor B-/I-/E-/S- and an entity type"
            builder.issues.append(issue("LL002", message, display, line=number, column=1))
            tag = "O"  # the token is kept (the text stays whole); it names no entity
        sentence = out[-1]
        sentence.tokens.append(token)
        sentence.tags.append(tag)
        sentence.lines.append(number)
    return out

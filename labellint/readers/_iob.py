"""Entity spans from IOB1/IOB2/BIOES tags, column-wise: one home for the CoNLL reader and token tables (Parquet)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from labellint.readers._text import TextBuilder

SCHEMES = ("iob1", "iob2", "bioes")
# A tag the schemes know: O, or a B-/I-/E-/S- prefix and an entity type.
TAG = re.compile(r"^(O|[BIES]-\S+)$")
O, B, I, E, S = (ord(c) for c in "OBIES")  # noqa: E741 (the schemes' own letters)


@dataclass(slots=True)
class Sentences:
    """The sentences of one file or table, flat over their tokens.

    Sentence s holds tokens `offsets[s]:offsets[s + 1]` (a table row may hold none) and becomes
    the item `ids[s]` with text `texts[s]` (its tokens joined by single spaces). Token k has the
    tag `names[codes[k]]` (a name TAG does not match is read as O) and `lengths[k]` characters.
    A line-based file gives `lines[k]`, the line of token k; a table gives `pointer`, its tags
    column's JSON pointer with a `{row}` field (`/rows/{row}/ner_tags`), and its rows are
    `index`ed by sentence.
    """

    names: list[str]
    codes: np.ndarray
    lengths: np.ndarray
    offsets: np.ndarray
    ids: list[Any]
    texts: list[str]
    lines: np.ndarray | None = None
    pointer: str | None = None

    def __post_init__(self) -> None:
        self.codes = np.asarray(self.codes, np.intp)
        self.lengths = np.asarray(self.lengths, np.int64)
        self.offsets = np.asarray(self.offsets, np.int64)
        if self.lines is not None:
            self.lines = np.asarray(self.lines, np.int64)


class _Tags:
    """Every token's prefix letter and entity type, and whether its neighbours are in its sentence."""

    def __init__(self, sentences: Sentences) -> None:
        self.sentences = sentences
        self.kinds: dict[str, int] = {}
        entity = {name for name in sentences.names if name != "O" and TAG.match(name)}
        prefix_of = np.array([ord(n[0]) if n in entity else O for n in sentences.names], np.uint8)
        kind_of = [self.kinds.setdefault(n[2:], len(self.kinds)) if n in entity else -1 for n in sentences.names]
        codes = sentences.codes
        self.prefix = prefix_of[codes] if len(prefix_of) else np.full(len(codes), O, np.uint8)
        self.kind = np.asarray(kind_of, np.int32)[codes] if kind_of else np.full(len(codes), -1, np.int32)
        n, offsets = len(codes), sentences.offsets
        self.first = np.zeros(n, bool)  # the sentence's first token
        self.first[offsets[:-1][offsets[:-1] < offsets[1:]]] = True
        self.last = np.zeros(n, bool)  # the sentence's last token
        self.last[offsets[1:][offsets[:-1] < offsets[1:]] - 1] = True
        self.previous_prefix = _shift(self.prefix, 1, O, self.first)
        self.previous_kind = _shift(self.kind, 1, -1, self.first)
        # Token k continues an entity of its type that the token before it left open.
        self.open_before = _either(self.previous_prefix, B, I) & (self.previous_kind == self.kind)


def _either(prefix: np.ndarray, one: int, other: int) -> np.ndarray:
    """Where the prefix letter is `one` or `other` (two comparisons: far quicker than np.isin)."""
    return (prefix == one) | (prefix == other)


def _shift(values: np.ndarray, by: int, fill: int, cut: np.ndarray) -> np.ndarray:
    """`values` moved `by` places (1: each token sees the one before it, -1: the one after), `fill`
    where `cut` marks a sentence edge."""
    out = np.full_like(values, fill)
    if by > 0:
        out[by:] = values[:-by]
    else:
        out[:by] = values[-by:]
    out[cut] = fill
    return out


def _guess_scheme(tags: _Tags) -> str:
    """`bioes` if any `E-`/`S-` tag, `iob2` if some `B-` opens an entity after another type or O, else `iob1`."""
    if _either(tags.prefix, E, S).any():
        return "bioes"
    # A B- that opens an entity after O or another type: IOB2's way.
    if ((tags.prefix == B) & (tags.first | (tags.previous_kind != tags.kind))).any():
        return "iob2"
    return "iob1"


def add_sentences(builder: TextBuilder, sentences: Sentences, scheme: str | None) -> str:
    """Every sentence an item, every entity its tags read under `scheme` a span over the item's text,
    with the first tag in it the scheme does not allow (read the way conlleval reads it: the token
    starts an entity) kept as `tag_sequence` for LL307. Returns the scheme: `scheme`, or when None
    the one the tags show (`bioes` if any `E-`/`S-` tag, `iob2` if some `B-` opens an entity after
    another type or O, else `iob1`)."""
    tags = _Tags(sentences)
    scheme = scheme or _guess_scheme(tags)
    first_annotation = len(builder.ann_item)
    entity_of = _add_spans(builder, sentences, tags, _add_items(builder, sentences))
    for token, message in _faults(tags, scheme):
        a = first_annotation + int(entity_of[token])
        if a not in builder.ann_fields:  # the entity's first disallowed tag
            builder.ann_fields[a] = {"tag_sequence": _where(sentences, token, message)}
    return scheme


def _add_items(builder: TextBuilder, sentences: Sentences) -> np.ndarray:
    """One item a sentence, at its first token's line (a file) or row (a table); returns the rows."""
    offsets = sentences.offsets
    count = len(offsets) - 1
    lines = np.zeros(count, np.int64)
    if sentences.lines is not None:
        has_tokens = offsets[:-1] < offsets[1:]
        lines[has_tokens] = sentences.lines[offsets[:-1][has_tokens]]
    rows = np.arange(count) if sentences.pointer is not None else np.zeros(count, np.int64)
    builder.add_text_items(sentences.ids, sentences.texts, lines.tolist(), rows.tolist())
    return rows


def _add_spans(builder: TextBuilder, sentences: Sentences, tags: _Tags, rows: np.ndarray) -> np.ndarray:
    """One span an entity: its tokens' characters in its sentence's text; returns each token's entity."""
    offsets, lengths = sentences.offsets, sentences.lengths
    continues = tags.open_before & _either(tags.prefix, I, E)
    inside = tags.prefix != O
    opens = np.flatnonzero(inside & ~continues)
    closes = np.flatnonzero(inside & ~np.append(continues[1:], False))
    sentence_of = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))[opens]
    # A token's first character in its sentence's text: the lengths before it, plus one space each.
    position = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths + 1, out=position[1:])
    begin = position[opens] - position[offsets[sentence_of]]
    end = position[closes] - position[offsets[sentence_of]] + lengths[closes]
    kinds, texts = list(tags.kinds), sentences.texts
    starts, ends, sentence_list = begin.tolist(), end.tolist(), sentence_of.tolist()
    first_item = len(builder.item_ids) - len(texts)  # the sentences' items were added last
    builder.add_span_columns(
        items=(sentence_of + first_item).tolist(),
        labels=[kinds[k] for k in tags.kind[opens].tolist()],
        starts=starts,
        ends=ends,
        texts=[texts[s][a:b] for s, a, b in zip(sentence_list, starts, ends, strict=True)],
        lines=sentences.lines[opens].tolist() if sentences.lines is not None else [0] * len(opens),
        index=rows[sentence_of].tolist(),
    )
    return np.cumsum(inside & ~continues) - 1


def _where(sentences: Sentences, token: int, message: str) -> dict[str, Any]:
    """Where the tag of `token` is written: its JSON pointer in a table, its line in a file."""
    offsets = sentences.offsets
    if sentences.pointer is not None:
        row = int(np.searchsorted(offsets, token, side="right")) - 1
        return {"pointer": f"{sentences.pointer.format(row=row)}/{token - int(offsets[row])}", "message": message}
    line = int(sentences.lines[token]) if sentences.lines is not None else 0
    return {"line": line, "message": message}


def _faults(tags: _Tags, scheme: str) -> list[tuple[int, str]]:
    """(token, why its tag is not allowed after the one before it), in token order."""
    prefix, kind, open_before = tags.prefix, tags.kind, tags.open_before
    if scheme == "iob2":
        after = (prefix == I) & ~open_before
        before = np.zeros_like(after)
    elif scheme == "bioes":
        after = _either(prefix, I, E) & ~open_before
        next_prefix, next_kind = _shift(prefix, -1, O, tags.last), _shift(kind, -1, -1, tags.last)
        before = _either(prefix, B, I) & ~(_either(next_prefix, I, E) & (next_kind == kind))
    else:
        return []
    names, codes = tags.sentences.names, tags.sentences.codes
    out = []
    for k in np.flatnonzero(after | before).tolist():
        tag = names[codes[k]]
        if before[k]:
            following = "O" if tags.last[k] else names[codes[k + 1]]
            out.append((k, f"{tag} before {following}: in BIOES an entity ends with E-{tag[2:]}"))
            continue
        previous = "O" if tags.first[k] else names[codes[k - 1]]
        if scheme == "iob2":
            out.append((k, f"{tag} after {previous}: in IOB2 an entity starts with B-{tag[2:]}"))
        else:
            out.append((k, f"{tag} after {previous}: in BIOES an entity starts with B-{tag[2:]} or is S-{tag[2:]}"))
    return out

"""Token-classification tables (`tokens` + `ner_tags` columns, as `datasets` stores CoNLL-2003) as text and spans."""

from __future__ import annotations

from typing import Any

import numpy as np

from labellint.model import Dataset, SourceFile
from labellint.readers._iob import SCHEMES, TAG, Sentences, add_sentences
from labellint.readers._text import TextBuilder
from labellint.readers.base import issue

TOKEN_COLUMNS = ("tokens", "words")
TAG_COLUMNS = ("ner_tags", "ner", "tags")
ROWS = "/rows"
# Bad rows and tags reported one by one before the rest are counted in one line.
REPORTED = 100


def token_columns(table: Any, options: dict[str, Any]) -> tuple[str, str] | None:
    """The (tokens, tags) column names when the table is a token-classification table, else None.

    Evidence: a list-of-strings tokens column (`tokens`, `words`; option `tokens`) beside a list
    tags column (`ner_tags`, `ner`, `tags`; option `tags`).
    """
    import pyarrow as pa

    lower = {name.lower(): name for name in table.column_names}

    def pick(option: str, usual: tuple[str, ...]) -> str | None:
        wanted = options.get(option)
        if wanted:
            return wanted if wanted in table.column_names else None
        return next((lower[n] for n in usual if n in lower), None)

    tokens, tags = pick("tokens", TOKEN_COLUMNS), pick("tags", TAG_COLUMNS)
    if tokens is None or tags is None:
        return None
    kinds = [table.schema.field(name).type for name in (tokens, tags)]
    if not all(pa.types.is_list(k) or pa.types.is_large_list(k) for k in kinds):
        return None
    value = kinds[0].value_type
    return (tokens, tags) if pa.types.is_string(value) or pa.types.is_large_string(value) else None


def read_token_table(
    table: Any, source: SourceFile, options: dict[str, Any], names: list[str] | None, ids: list[Any] | None
) -> Dataset:
    """Every row an item (its tokens joined by single spaces), every entity of its tags a span.

    `names` are the tags column's ClassLabel names (indices are named with them); `ids` the item
    ids (None: the row number). Bad rows and tags are LL002 at `/rows/<row>` (a tag at
    `/rows/<row>/<column>/<k>`, read as O); the span building is the CoNLL reader's (`_iob`).
    """
    tokens_name, tags_name = token_columns(table, options) or ("", "")
    builder = TextBuilder(source)
    scheme = options.get("scheme")
    if scheme is not None and scheme not in SCHEMES:
        builder.issues.append(issue("LL002", f"unknown scheme {scheme!r} (one of {', '.join(SCHEMES)})", source.path))
        return builder.build()
    tag_type = table.schema.field(tags_name).type.value_type
    if names is None and not _is_string(tag_type):
        message = f"`{tags_name}` holds {tag_type} without ClassLabel names in the schema metadata; tags must be names"
        builder.issues.append(issue("LL002", message, source.path, pointer=ROWS))
        return builder.build()
    if names is not None and not any(TAG.match(name) for name in names):
        message = f"the ClassLabel names of `{tags_name}` are not IOB/BIOES tags ({', '.join(names[:5])}, ...)"
        builder.issues.append(issue("LL002", message, source.path, pointer=ROWS))
        return builder.build()
    for kind in dict.fromkeys(name[2:] for name in names or () if TAG.match(name) and name != "O"):
        builder.classes.setdefault(kind, len(builder.classes))  # declared entity types, used or not
    sentences = _Rows(builder, tags_name, names).read(table.column(tokens_name), table.column(tags_name), ids)
    source.meta["scheme"] = add_sentences(builder, sentences, scheme)
    return builder.build()


def _is_string(kind: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _item_ids(ids: list[Any] | None, counts: np.ndarray) -> list[Any]:
    """The rows' ids (None: the row numbers); a row with tokens but no id is numbered from 1, as CoNLL sentences are."""
    if ids is None:
        return list(range(len(counts)))
    if None not in ids:  # the usual table: every row has its id
        return ids
    return [r + 1 if i is None and n else i for r, (i, n) in enumerate(zip(ids, counts.tolist(), strict=True))]


class _Rows:
    """Turns the tokens and tags columns into Sentences, column-wise; the rows that cannot be read
    as they stand are read one by one, reporting why."""

    def __init__(self, builder: TextBuilder, tags_name: str, names: list[str] | None) -> None:
        self.builder, self.tags_name, self.names = builder, tags_name, names
        self.reported = 0

    def read(self, tokens_column: Any, tags_column: Any, ids: list[Any] | None) -> Sentences:
        import pyarrow.compute as pc

        tokens, tags = tokens_column.combine_chunks(), tags_column.combine_chunks()
        counts = pc.fill_null(pc.list_value_length(tokens), 0).to_numpy()
        offsets = np.zeros(len(tokens) + 1, np.int64)
        np.cumsum(counts, out=offsets[1:])
        words = tokens.flatten()
        row_of = np.repeat(np.arange(len(tokens)), counts)
        names, codes, good = self._codes(tags, offsets, row_of)
        bad = np.zeros(len(tokens), bool)
        bad[row_of[~good]] = True  # a tag that is not one, or no tag where the row has a token
        bad[row_of[words.is_null().to_numpy(zero_copy_only=False)]] = True
        bad |= tokens.is_null().to_numpy(zero_copy_only=False)
        texts = pc.binary_join(tokens, " ").to_pylist()
        codes[~good] = 0
        code_of = {name: k for k, name in reversed(list(enumerate(names)))}
        for r in np.flatnonzero(bad).tolist():
            row_tokens, row_tags = self.row(r, tokens[r].as_py(), tags[r].as_py())
            texts[r] = " ".join(row_tokens)
            for tag in row_tags:
                if tag not in code_of:  # a name only the row-by-row reading found (tags of another type)
                    code_of[tag] = len(names)
                    names.append(tag)
            codes[offsets[r] : offsets[r + 1]] = [code_of[tag] for tag in row_tags]
        self.finish()
        return Sentences(
            names=names,
            codes=codes,
            lengths=pc.fill_null(pc.utf8_length(words), 0).to_numpy().astype(np.int64),
            offsets=offsets,
            ids=_item_ids(ids, counts),
            texts=texts,
            pointer=f"{ROWS}/{{row}}/{self.tags_name}",
        )

    def _codes(self, tags: Any, offsets: np.ndarray, row_of: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The tag names, each token's tag as an index into them, and which tokens have a tag
        that is one (the token's row has as many tags as tokens, and the tag is a known name)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        n = len(row_of)
        counts = pc.fill_null(pc.list_value_length(tags), -1).to_numpy()
        tag_offsets = np.zeros(len(tags) + 1, np.int64)
        np.cumsum(np.maximum(counts, 0), out=tag_offsets[1:])
        aligned = (counts == np.diff(offsets))[row_of]
        values, kind = tags.flatten(), tags.type.value_type
        if self.names is not None and pa.types.is_integer(kind):
            names = list(self.names)
            known = np.array([bool(TAG.match(name)) for name in names] + [False])
            values = values.cast(pa.int64(), safe=False)  # an index past int64 wraps to a negative one: no name
            in_range = pc.fill_null(pc.and_(pc.greater_equal(values, 0), pc.less(values, len(names))), False)
            index = pc.if_else(in_range, values, len(names)).cast(pa.int64()).to_numpy()
        elif _is_string(kind):
            encoded = pc.dictionary_encode(values)
            names = encoded.dictionary.to_pylist()
            known = np.array([bool(TAG.match(name)) for name in names] + [False])
            index = pc.fill_null(encoded.indices.cast(pa.int64()), len(names)).to_numpy()
        else:  # tags of another type: every row read one by one
            return ["O"], np.zeros(n, np.intp), np.zeros(n, bool)
        if "O" not in names:
            names.append("O")
        position = tag_offsets[row_of] + (np.arange(n) - offsets[row_of])
        codes = np.zeros(n, np.intp)
        codes[aligned] = index[position[aligned]]
        good = aligned & known[codes]
        return names, codes, good

    def report(self, pointer: str, message: str) -> None:
        self.reported += 1
        if self.reported <= REPORTED:
            self.builder.issues.append(issue("LL002", message, self.builder.source.path, pointer=pointer))

    def finish(self) -> None:
        """One line for the problems past the first REPORTED."""
        if self.reported > REPORTED:
            message = f"{self.reported - REPORTED} more problems like that left out"
            self.builder.issues.append(issue("LL002", message, self.builder.source.path, pointer=ROWS))

    def row(self, r: int, tokens: list | None, tags: list | None) -> tuple[list[str], list[str]]:
        """Row r's tokens and tag names as read (O where a tag cannot be), each problem reported."""
        where = f"{ROWS}/{r}"
        if tokens is None:
            self.report(where, f"row {r}: `tokens` is null")
            return [], []
        if any(token is None for token in tokens):
            self.report(where, f"row {r}: a token is null; the row is read as text without entities")
            return ["" if token is None else token for token in tokens], ["O"] * len(tokens)
        if tags is None or len(tags) != len(tokens):
            found = "null" if tags is None else f"{len(tags)}"
            message = f"row {r}: {len(tokens)} tokens and {found} `{self.tags_name}`; read as text without entities"
            self.report(where, message)
            return tokens, ["O"] * len(tokens)
        return tokens, [self.tag(r, k, tag) for k, tag in enumerate(tags)]

    def tag(self, r: int, k: int, value: Any) -> str:
        """The tag's name (O for a tag that is not one, reported at its pointer)."""
        names = self.names
        if isinstance(value, int) and names is not None:
            name = names[value] if 0 <= value < len(names) else None
            message = f"tag index {value} has no name ({len(names)} ClassLabel names)"
        else:
            name = value
            message = f"tag {value!r} is neither O nor B-/I-/E-/S- and an entity type"
        if isinstance(name, str) and TAG.match(name):
            return name
        self.report(f"{ROWS}/{r}/{self.tags_name}/{k}", f"row {r}: {message}")
        return "O"

"""Token-classification tables (`tokens` + `ner_tags` columns, as `datasets` stores CoNLL-2003) as text and spans."""

from __future__ import annotations

from typing import Any

from labellint.model import Dataset, SourceFile
from labellint.readers._iob import SCHEMES, TAG, Sentence, add_sentence, guess_scheme
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
    rows = _Rows(builder, tags_name, names)
    all_tokens, all_tags = table.column(tokens_name).to_pylist(), table.column(tags_name).to_pylist()
    sentences = [
        rows.sentence(r, tokens, tags, r if ids is None else ids[r])
        for r, (tokens, tags) in enumerate(zip(all_tokens, all_tags, strict=True))
    ]
    rows.finish()
    scheme = scheme or guess_scheme(sentences)
    source.meta["scheme"] = scheme
    for sentence in sentences:
        if sentence.tokens:
            add_sentence(builder, sentence, scheme)
        else:  # a row with no tokens is still an item (empty text), so items match rows
            builder.add_item(sentence.item_id, "", index=sentence.index)
    return builder.build()


def _is_string(kind: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


class _Rows:
    """Turns one row's tokens and tags into a Sentence, reporting what cannot be read."""

    def __init__(self, builder: TextBuilder, tags_name: str, names: list[str] | None) -> None:
        self.builder, self.tags_name, self.names = builder, tags_name, names
        self.reported = 0

    def report(self, pointer: str, message: str) -> None:
        self.reported += 1
        if self.reported <= REPORTED:
            self.builder.issues.append(issue("LL002", message, self.builder.source.path, pointer=pointer))

    def finish(self) -> None:
        """One line for the problems past the first REPORTED."""
        if self.reported > REPORTED:
            message = f"{self.reported - REPORTED} more problems like that left out"
            self.builder.issues.append(issue("LL002", message, self.builder.source.path, pointer=ROWS))

    def sentence(self, r: int, tokens: list | None, tags: list | None, item_id: Any) -> Sentence:
        where = f"{ROWS}/{r}"
        sentence = Sentence(item_id=item_id, index=r, pointer=f"{where}/{self.tags_name}")
        if tokens is None:
            self.report(where, f"row {r}: `tokens` is null")
            return sentence
        if any(token is None for token in tokens):
            self.report(where, f"row {r}: a token is null; the row is read as text without entities")
            sentence.tokens = ["" if token is None else token for token in tokens]
            sentence.tags = ["O"] * len(tokens)
            return sentence
        sentence.tokens = tokens
        if tags is None or len(tags) != len(tokens):
            found = "null" if tags is None else f"{len(tags)}"
            message = f"row {r}: {len(tokens)} tokens and {found} `{self.tags_name}`; read as text without entities"
            self.report(where, message)
            sentence.tags = ["O"] * len(tokens)
            return sentence
        sentence.tags = [self.tag(r, k, tag) for k, tag in enumerate(tags)]
        return sentence

    def tag(self, r: int, k: int, value: Any) -> str:
        """The tag's name (O for a tag that is not one, reported at its pointer)."""
        names = self.names
        if isinstance(value, int) and names is not None:
            name = names[value] if 0 <= value < len(names) else None
            message = f"tag index {value} has no name ({len(names)} ClassLabel names)"
        else:
            name = value
            message = f"tag {value!r} is neither O nor B-/I-/E-/S- and an entity type"
        if name is not None and TAG.match(name):
            return name
        self.report(f"{ROWS}/{r}/{self.tags_name}/{k}", f"row {r}: {message}")
        return "O"

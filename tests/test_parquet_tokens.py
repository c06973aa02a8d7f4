"""Token-classification Parquet tables (`tokens` + `ner_tags`, as the hub stores CoNLL-2003): read as
text items with entity spans, the same as the CoNLL reader reads the same sentences; counted with
pyarrow and plain line splitting."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from helpers import run_cli
from parquet_tables import with_features

ROOT = Path(__file__).parents[1]
CONLL_FILES = [
    ROOT / "tests" / "data" / "fuzz" / "conll" / "eng.sample.conll",
    ROOT / "rules" / "LL307-invalid-tag-sequence" / "good" / "eng.testa.conll",
    ROOT / "rules" / "LL307-invalid-tag-sequence" / "bad" / "eng.testb.conll",
]
DATASETS_TOKENS = ROOT / "tests" / "data" / "parquet_datasets" / "tokens" / "conll2003.parquet"
# The hub's conll2003 ner_tags ClassLabel names.
NER = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]


def read(path: Path):
    from labellint.commands.labels import LabelSelection, read_dataset
    from labellint.settings.config import Config
    from labellint.sources import WorkTree

    dataset, crashes = read_dataset(LabelSelection(paths=[str(path)]), Config(root=path.parent), None, WorkTree())
    assert crashes == []
    return dataset


def check_json(*args: str, cwd: Path) -> dict:
    result = run_cli("check", *args, "--format", "json", cwd=cwd)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def conll_sentences(path: Path) -> list[tuple[list[str], list[str]]]:
    """(tokens, tags) per sentence of a CoNLL file, by plain line splitting."""
    sentences: list[tuple[list[str], list[str]]] = [([], [])]
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split()
        if not cells or cells[0] == "-DOCSTART-":
            if sentences[-1][0]:
                sentences.append(([], []))
            continue
        sentences[-1][0].append(cells[0])
        sentences[-1][1].append(cells[-1])
    return [s for s in sentences if s[0]]


def token_table(sentences: list[tuple[list[str], list[str]]]) -> pa.Table:
    """The sentences as the hub stores conll2003: string ids, tokens, ner_tags as ClassLabel indices."""
    table = pa.table(
        {
            "id": pa.array([str(k) for k in range(len(sentences))]),
            "tokens": pa.array([t for t, _ in sentences], pa.list_(pa.string())),
            "ner_tags": pa.array([[NER.index(x) for x in tags] for _, tags in sentences], pa.list_(pa.int64())),
        }
    )
    ner = {"feature": {"names": NER, "_type": "ClassLabel"}, "_type": "Sequence"}
    features = {"id": {"dtype": "string", "_type": "Value"}, "tokens": {"feature": {}, "_type": "Sequence"}}
    return with_features(table, {**features, "ner_tags": ner})


def iob2_entities(tags: list[str]) -> int:
    """Entities in IOB2 tags as conlleval counts them: a B-, or an I- not continuing its type."""
    count, previous = 0, "O"
    for tag in tags:
        if tag.startswith("B-") or (tag.startswith("I-") and previous[2:] != tag[2:]):
            count += 1
        previous = tag
    return count


def spans(dataset) -> list[tuple[int, int, int, str]]:
    return [
        (int(i), int(s), int(e), dataset.classes[c].name)
        for i, (s, e), c in zip(dataset.ann_item, dataset.ann_span, dataset.ann_class, strict=True)
    ]


def test_a_token_table_reads_as_the_conll_reader_reads_the_same_sentences(tmp_path):
    for conll in CONLL_FILES:
        sentences = conll_sentences(conll)
        path = tmp_path / f"{conll.stem}.parquet"
        pq.write_table(token_table(sentences), path)
        table = pq.read_table(path)
        from_table, from_file = read(path), read(conll)
        assert from_table.n_items == table.num_rows == from_file.n_items, conll.name
        texts = [" ".join(tokens) for tokens in table.column("tokens").to_pylist()]
        assert from_table.item_text == texts == from_file.item_text
        expected = sum(iob2_entities([NER[x] for x in row]) for row in table.column("ner_tags").to_pylist())
        assert from_table.n_annotations == expected == from_file.n_annotations
        assert spans(from_table) == spans(from_file)
        assert list(from_table.item_ids) == table.column("id").to_pylist()
        for i, s, e, _ in spans(from_table):  # every span covers whole tokens of its text
            text = from_table.item_text[i]
            assert (s == 0 or text[s - 1] == " ") and (e == len(text) or text[e] == " ")


def test_tag_sequences_are_ll307_at_the_tag_and_bad_rows_ll002_at_the_row(tmp_path):
    sentences = conll_sentences(CONLL_FILES[2])  # I-LOC after O, I-LOC after B-PER (IOB2)
    table = token_table(sentences)
    tokens = [*table.column("tokens").to_pylist(), ["a", "b"], ["c"], None]
    tags = [*table.column("ner_tags").to_pylist(), [0], [42], [0]]  # 2 tokens 1 tag; index 42 has no name
    ids = [*table.column("id").to_pylist(), "x", "y", "z"]
    bad = pa.table({"id": ids, "tokens": pa.array(tokens, pa.list_(pa.string())), "ner_tags": tags})
    pq.write_table(bad.replace_schema_metadata(table.schema.metadata), tmp_path / "train.parquet")
    report = check_json("train.parquet", cwd=tmp_path)
    found = [(p["code"], p.get("pointer")) for p in report["problems"] if p["code"] in ("LL002", "LL307")]
    n = len(sentences)
    # The tags LL307 names, found here by plain IOB2 reading of the rows.
    faults = [
        f"/rows/{r}/ner_tags/{k}"
        for r, (_, row) in enumerate(sentences)
        for k, tag in enumerate(row)
        if tag.startswith("I-") and (k == 0 or row[k - 1][2:] != tag[2:] or row[k - 1] == "O")
    ]
    assert len(faults) == 2
    assert sorted(found) == sorted(
        [("LL307", f) for f in faults]
        + [("LL002", f"/rows/{n}"), ("LL002", f"/rows/{n + 1}/ner_tags/0"), ("LL002", f"/rows/{n + 2}")]
    )
    dataset = read(tmp_path / "train.parquet")
    assert dataset.n_items == n + 3  # every row an item; the bad ones keep their text without entities
    assert dataset.item_text[n:] == ["a b", "c", ""]
    assert [int(i) for i in dataset.ann_item] == [0] * iob2_entities(sentences[0][1])


def test_string_tags_bioes_and_the_options(tmp_path):
    table = pa.table({"words": [["New", "York", "is", "big"]], "labels_bioes": [["B-LOC", "E-LOC", "O", "S-X"]]})
    pq.write_table(table, tmp_path / "t.parquet")
    (tmp_path / "labellint.toml").write_text(
        '[[datasets]]\npath = "t.parquet"\nreader = "parquet"\noptions = { tags = "labels_bioes", scheme = "bioes" }\n'
    )
    report = check_json(cwd=tmp_path)
    assert (report["summary"]["items"], report["summary"]["annotations"]) == (1, 2)
    assert [p for p in report["problems"] if p["code"] in ("LL001", "LL002", "LL307")] == []
    dataset = read(tmp_path / "t.parquet")  # without the options: no tags column found, so not a token table
    assert dataset.n_annotations == 0 and dataset.issues


def test_a_table_written_by_hf_datasets_counts_as_pyarrow_does():
    table = pq.read_table(DATASETS_TOKENS)
    features = json.loads(table.schema.metadata[b"huggingface"])["info"]["features"]
    names = features["ner_tags"]["feature"]["names"]
    rows = table.column("ner_tags").to_pylist()
    dataset = read(DATASETS_TOKENS)
    assert dataset.issues == []
    assert dataset.n_items == table.num_rows
    assert dataset.n_annotations == sum(iob2_entities([names[x] for x in row]) for row in rows)
    assert [c.name for c in dataset.classes] == ["PER", "ORG", "LOC", "MISC"]  # declared, in ClassLabel order
    assert dataset.item_text == [" ".join(t) for t in table.column("tokens").to_pylist()]


def test_rows_after_a_bad_row_keep_their_own_tags_across_row_groups(tmp_path):
    # A row with more tags than tokens, a null token, a null and an empty row in the middle of
    # the table, written in row groups of 3: every good row must still be read with its own tags.
    rng = random.Random(5)
    words = ["EU", "Anna", "Oslo", "said", "Müller"]
    tokens = [[rng.choice(words) for _ in range(rng.randint(3, 9))] for _ in range(12)]
    tags = [[rng.choice((0, 1, 3, 5)) for _ in row] for row in tokens]  # O and B- ...
    # ... and some I- after a B- of its type: IOB2, every entity opened by its B-.
    tags = [
        [t + 1 if t and k and row[k - 1] == t and rng.random() < 0.5 else t for k, t in enumerate(row)] for row in tags
    ]
    tags[2] = [*tags[2], 1]  # one tag too many
    tokens[4] = [tokens[4][0], None, *tokens[4][2:]]
    tokens[6], tags[6] = None, None
    tokens[7], tags[7] = [], []
    table = pa.table({"tokens": pa.array(tokens, pa.list_(pa.string())), "ner_tags": tags})
    table = with_features(table, {"ner_tags": {"feature": {"names": NER, "_type": "ClassLabel"}, "_type": "Sequence"}})
    pq.write_table(table, tmp_path / "train.parquet", row_group_size=3)
    dataset = read(tmp_path / "train.parquet")
    bad = {2, 4, 6, 7}
    assert [i.location.pointer for i in dataset.issues] == ["/rows/2", "/rows/4", "/rows/6"]
    assert dataset.n_items == len(tokens)
    texts = [" ".join("" if t is None else t for t in row or []) for row in tokens]
    assert dataset.item_text == texts
    expected = [(r, NER[x][2:]) for r, row in enumerate(tags) if r not in bad for x in row if NER[x].startswith("B-")]
    entities = [(int(i), dataset.classes[c].name) for i, c in zip(dataset.ann_item, dataset.ann_class, strict=True)]
    assert entities == expected  # this file's IOB2 entities all open with B-
    for i, (s, e), a in zip(dataset.ann_item, dataset.ann_span, range(dataset.n_annotations), strict=True):
        assert dataset.ann_text[a] == dataset.item_text[i][s:e]


def test_tags_of_another_type_are_ll002_at_the_tag_not_a_crash(tmp_path):
    table = pa.table({"tokens": [["Anna", "said"]], "ner_tags": pa.array([[1.0, 0.0]], pa.list_(pa.float64()))})
    table = with_features(table, {"ner_tags": {"feature": {"names": NER, "_type": "ClassLabel"}, "_type": "Sequence"}})
    pq.write_table(table, tmp_path / "train.parquet")
    dataset = read(tmp_path / "train.parquet")
    assert [i.location.pointer for i in dataset.issues] == ["/rows/0/ner_tags/0", "/rows/0/ner_tags/1"]
    assert dataset.item_text == ["Anna said"] and dataset.n_annotations == 0


BIOES_SENTENCES = [
    (["New", "York", "is", "big"], ["B-LOC", "E-LOC", "O", "S-MISC"]),
    (["Anna", "Lee", "met", "Bob"], ["B-PER", "I-PER", "O", "E-PER"]),  # unclosed B-PER, unopened E-PER
    (["Oslo", "and", "Bergen"], ["I-LOC", "O", "B-LOC"]),  # unopened I-LOC; B-LOC before the end
]


def test_bioes_faults_are_found_at_the_same_tokens_in_a_file_and_a_table(tmp_path):
    conll = tmp_path / "ner.bioes"
    conll.write_text("\n\n".join("\n".join(f"{t} {g}" for t, g in zip(*s, strict=True)) for s in BIOES_SENTENCES))
    table = pa.table({"tokens": [t for t, _ in BIOES_SENTENCES], "ner_tags": [g for _, g in BIOES_SENTENCES]})
    pq.write_table(table, tmp_path / "ner.parquet")
    from_file, from_table = read(conll), read(tmp_path / "ner.parquet")
    assert spans(from_file) == spans(from_table)
    # Entities as BIOES reads them: New York, big, Anna Lee, Bob, Oslo, Bergen.
    assert [from_file.ann_text[a] for a in range(from_file.n_annotations)] == [
        "New York", "big", "Anna Lee", "Bob", "Oslo", "Bergen"
    ]  # fmt: skip
    # The first disallowed tag of each entity: the line in the file, the pointer in the table.
    lines = {a: f["tag_sequence"]["line"] for a, f in from_file.ann_fields.items()}
    pointers = {a: f["tag_sequence"]["pointer"] for a, f in from_table.ann_fields.items()}
    assert lines == {2: 7, 3: 9, 4: 11, 5: 13}
    assert pointers == {
        2: "/rows/1/ner_tags/1", 3: "/rows/1/ner_tags/3", 4: "/rows/2/ner_tags/0", 5: "/rows/2/ner_tags/2"
    }  # fmt: skip
    messages = [f["tag_sequence"]["message"] for f in from_file.ann_fields.values()]
    assert messages == [f["tag_sequence"]["message"] for f in from_table.ann_fields.values()]

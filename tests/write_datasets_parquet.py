"""Writes tests/data/parquet_datasets/ with Hugging Face `datasets` itself (run by hand, `datasets` 5.2.0:
`pip install datasets && python tests/write_datasets_parquet.py`); the tests read the files, not this."""

from __future__ import annotations

from pathlib import Path

import datasets as d

OUT = Path(__file__).parent / "data" / "parquet_datasets"
CPPE = ["Coverall", "Face_Shield", "Gloves", "Goggles", "Mask"]
# CoNLL-2003's ner_tags names as the hub's conll2003 dataset declares them.
CONLL_NER = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
# The first sentences of CoNLL-2003's training file (as tests/data/fuzz/conll holds them).
CONLL_ROWS = [
    (["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."], [3, 0, 7, 0, 0, 0, 7, 0, 0]),
    (["Peter", "Blackburn"], [1, 2]),
    (["BRUSSELS", "1996-08-22"], [5, 0]),
    (["Japan", "began", "the", "defence", "of", "their", "Asian", "Cup", "title"], [5, 0, 0, 0, 0, 0, 7, 8, 0]),
]


def main() -> None:
    box = d.Sequence(d.Value("float32"), length=4)
    detection = d.Features(
        {
            "image_id": d.Value("int64"),
            "width": d.Value("int32"),
            "height": d.Value("int32"),
            "objects": d.Sequence({"id": d.Value("int64"), "bbox": box, "category": d.ClassLabel(names=CPPE)}),
        }
    )
    objects = [
        {"id": [1, 2], "bbox": [[1, 2, 3, 4], [90, 90, 20, 20]], "category": [0, 4]},
        {"id": [], "bbox": [], "category": []},
    ]
    rows = {"image_id": [1, 2], "width": [100, 100], "height": [100, 100], "objects": objects}
    d.Dataset.from_dict(rows, features=detection).to_parquet(OUT / "det.parquet")
    single = d.Features({"text": d.Value("string"), "label": d.ClassLabel(names=["neg", "pos"])})
    d.Dataset.from_dict({"text": ["a", "b", "c"], "label": [1, 0, -1]}, features=single).to_parquet(OUT / "cls.parquet")
    multi = d.Features({"text": d.Value("string"), "labels": d.Sequence(d.ClassLabel(names=["x", "y", "z"]))})
    d.Dataset.from_dict({"text": ["a", "b"], "labels": [[0, 2], [1]]}, features=multi).to_parquet(OUT / "multi.parquet")
    listed = d.Features(
        {
            "image_id": d.Value("int64"),
            "objects": d.List(
                {"bbox": d.List(d.Value("float32"), length=4), "category": d.ClassLabel(names=["a", "b"])}
            ),
        }
    )
    rows = {"image_id": [1], "objects": [[{"bbox": [1, 1, 2, 2], "category": 1}]]}
    d.Dataset.from_dict(rows, features=listed).to_parquet(OUT / "list.parquet")
    tokens()


def tokens() -> None:
    """A token-classification table with conll2003's features (id, tokens, ner_tags ClassLabel)."""
    features = d.Features(
        {
            "id": d.Value("string"),
            "tokens": d.Sequence(d.Value("string")),
            "ner_tags": d.Sequence(d.ClassLabel(names=CONLL_NER)),
        }
    )
    rows = {
        "id": [str(k) for k in range(len(CONLL_ROWS))],
        "tokens": [t for t, _ in CONLL_ROWS],
        "ner_tags": [n for _, n in CONLL_ROWS],
    }
    (OUT / "tokens").mkdir(exist_ok=True)
    d.Dataset.from_dict(rows, features=features).to_parquet(OUT / "tokens" / "conll2003.parquet")


if __name__ == "__main__":
    main()

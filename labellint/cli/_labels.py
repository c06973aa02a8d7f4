"""Loading labels for the quality commands: long tables or label files, now or at a git revision."""

from __future__ import annotations

from pathlib import Path

from labellint.errors import UsageError

TABLE_SUFFIXES = {".csv", ".tsv", ".tab", ".jsonl", ".ndjson"}


def is_table(path: Path, head: bytes) -> bool:
    """A long table (CSV/TSV/JSONL) rather than a label file: by suffix, or a tab-separated .txt."""
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return True
    return suffix == ".txt" and b"\t" in head.split(b"\n", 1)[0]


def source_for(rev: str | None, anchor: Path):
    """The work tree, or the files as they are at `rev` in the repository holding `anchor`."""
    from labellint.sources import GitRevision, WorkTree

    if rev is None:
        return WorkTree()
    return GitRevision(anchor.resolve().parent if anchor.is_file() else anchor.resolve(), rev)


def read_labels(paths: list[str], source, spec=None, reader: str | None = None):
    """The label files read through the normal readers into one Dataset; reader crashes are fatal."""
    from labellint.config import Config
    from labellint.runner import CheckRequest, read_dataset

    dataset, crashes = read_dataset(CheckRequest(paths=list(paths), reader=reader), Config(), spec, source)
    if crashes:
        raise UsageError(f"cannot read: {crashes[0].source}: {crashes[0].error}")
    return dataset


def load_ratings(path: str, source, *, columns=None, header: bool = True, names=None, reader: str | None = None):
    """Ratings from a long table or from label files with annotators; returns (ratings, problems)."""
    from labellint.quality.from_dataset import ratings_from_dataset
    from labellint.quality.tables import TableColumns, load_ratings_table

    target = Path(path)
    if not source.is_file(target) and not source.is_dir(target):
        raise UsageError(f"{path}: file not found")
    if source.is_file(target) and is_table(target, source.head(target, 4096)):
        return load_ratings_table(
            target,
            columns or TableColumns(),
            names=names,
            header=header,
            data=source.read_bytes(target),
            display=source.display(target),
        )
    dataset = read_labels([path], source, reader=reader)
    if dataset.n_annotations == 0:
        raise UsageError(f"{path}: no annotations found")
    try:
        return ratings_from_dataset(dataset), [f"{issue.location.path}: {issue.message}" for issue in dataset.issues]
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from None

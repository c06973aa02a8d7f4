"""Label-meaning diff between two dataset versions: matching, transitions, class changes."""

from labellint.diff.match import MatchOptions, MatchResult, match_annotations, match_items
from labellint.diff.summary import DiffOptions, LabelDiff, SpecVersions, diff_datasets

__all__ = [
    "DiffOptions",
    "LabelDiff",
    "MatchOptions",
    "MatchResult",
    "SpecVersions",
    "diff_datasets",
    "match_annotations",
    "match_items",
]

"""Label-quality measures: agreement, golden-set accuracy, review samples, label-error ranking."""

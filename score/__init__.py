"""`corpusc score`: measure an extraction pipeline's predictions against a
build's ground truth, with matching rules everyone shares (docs/scoring.md)."""

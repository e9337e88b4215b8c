"""Gold annotations of real documents: the corpus they point into, the annotations, the scores."""

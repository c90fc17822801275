"""Stage 4: the question sets and the harness that turns every change into numbers."""

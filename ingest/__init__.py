"""Stage 1: turn the plan text into structured, citable chunks."""

"""Reliability estimates: classical (alpha family), model-based (omega) and ordinal."""

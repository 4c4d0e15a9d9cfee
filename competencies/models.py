"""Competency frameworks, reviews and ratings: filled by the competency reviews issue."""

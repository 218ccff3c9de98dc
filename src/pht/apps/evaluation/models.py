"""Evaluation models: extracts, analysis plans and their versions, runs."""

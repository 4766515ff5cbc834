"""Plots and reports, built from a run directory's files only; nothing here runs a model."""

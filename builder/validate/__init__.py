"""Validate: raw records -> the typed model (builder/model.py), or every problem at once."""

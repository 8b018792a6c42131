"""Render: the archive and its derivations -> every page, feed, data file and share card."""

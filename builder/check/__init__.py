"""Check: the links of the rendered site, and the coverage of the seeds' numbers and dates."""

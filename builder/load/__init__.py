"""Load: the project's folders -> raw records, each YAML value with its file and line."""

"""Search: the written pages -> a Pagefind index, in shards; reused when nothing searchable
changed."""

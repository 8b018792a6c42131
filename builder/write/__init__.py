"""Write: the rendered outputs -> a new version of the output folder, swapped in whole; and the
build cache that lets the next build reuse what did not change."""

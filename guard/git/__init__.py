"""git access: plumbing (index, blobs), staged reads, history and ranges, process spawning."""

"""State: storage (SQLite, Blob, memory), concurrency, dedupe, transcripts and feedback."""

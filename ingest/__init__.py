"""Channel payloads in, posts out: one path (`ingest.store.ingest_page`) for every channel."""

"""The library index: the SQLite store, walking folders, mark-and-sweep scans, the background indexer,
the folder watcher, photo reading and the freedesktop thumbnail cache. It never imports the network:
the indexer is handed a model that fits its ``IndexModel`` protocol."""

"""The CLI's subcommands: argument handling and printing around the core API."""

"""The desktop app: widgets only. Every action calls the core API the CLI uses too."""

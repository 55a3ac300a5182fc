"""The `pdnet` command-line tool; `main.main` is its entry point."""

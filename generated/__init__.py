"""Generated packages (run make generate)."""

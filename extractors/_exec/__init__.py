"""_exec package."""

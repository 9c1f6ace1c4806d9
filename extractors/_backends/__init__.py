"""_backends package."""

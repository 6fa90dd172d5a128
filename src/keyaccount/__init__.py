"""keyaccount: key-account sales process management."""

__version__ = "0.1.0"

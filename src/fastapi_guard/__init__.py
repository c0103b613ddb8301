"""fastapi-guard: a static architecture and security linter for FastAPI backends."""

__version__ = "0.1.0"

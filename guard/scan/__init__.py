"""The scan engine: sources -> prefilter -> rules -> findings -> baseline/allowlist -> redacted excerpts."""

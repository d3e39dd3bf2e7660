"""Presenters: what the portal knows, put into words for pages, emails and the CLI."""

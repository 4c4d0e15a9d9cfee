"""Helpers that belong to no domain: used by every app, owning no models and no rules."""

"""A small product catalogue served over HTTP."""

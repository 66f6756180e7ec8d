"""Performance measurements: `make bench` (or `python -m bench [NAME ...]`)."""

"""Learning circles: filled by the learning circles issue."""

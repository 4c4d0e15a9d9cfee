"""2:1 supervision sessions: filled by the competency reviews and 2:1 supervision issue."""

"""stats stage: the committee report's figures computed from crime records."""

"""X (Twitter) API v2: the payload format (`payload`) and, later, the live collector."""

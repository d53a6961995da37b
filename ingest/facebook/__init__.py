"""Facebook Graph API: the payload format (`payload`) and, later, the live collector."""

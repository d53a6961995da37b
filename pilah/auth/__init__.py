"""Staff accounts, passwords, login throttling and API tokens, shared by the CLI and the web app."""

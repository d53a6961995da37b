"""Triage: turns classified posts into a queue people can work through (DESIGN.md, issue 4).

Duplicate groups, unclear and low-confidence flags, routing to OPDs, working-day deadlines,
the report lifecycle and the published statistics. Depends on `classify` only through the
`Tagger` interface, passed in by the shell.
"""

"""File formats that are not a channel's own API pages: LAPOR!-style spreadsheets and mapped CSV."""

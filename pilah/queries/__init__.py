"""Named queries, one module per aggregate, so handlers never build ad-hoc selects."""

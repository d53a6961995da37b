"""One router per area; route names are `area.page` or `area.page:action` (see roles.RULES)."""

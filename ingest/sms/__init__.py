"""SMS: gateway inbox exports (`payload`) and, later, the gateway webhook."""

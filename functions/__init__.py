"""Lambda entry points, one module each, `handler(event, context)`."""

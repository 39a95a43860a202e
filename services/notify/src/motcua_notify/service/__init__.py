"""Use cases of the notify service: apply events, record messages, send them, answer queries."""

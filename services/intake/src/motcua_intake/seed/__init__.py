"""Demo catalogue shipped with the intake service: procedures.json and agencies.json."""

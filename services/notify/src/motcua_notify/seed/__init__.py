"""Demo data shipped with the service: the directory of units and their contacts."""

"""Vietnamese message templates, versioned, with a loader that checks them at start-up."""

from motcua_notify.templates.loader import load_registry, load_specs

__all__ = ["load_registry", "load_specs"]

"""Start-up checks on template sources: the placeholders they use must exist."""

from collections.abc import Iterable

from jinja2 import Environment, TemplateSyntaxError, meta, nodes

__all__ = [
    "TemplateError",
    "check_declared_exist",
    "check_declared_used",
    "check_json_outputs",
    "check_variables",
    "parse",
]


class TemplateError(ValueError):
    """A template cannot be loaded; the message names the template and the culprit."""


def parse(env: Environment, name: str, source: str) -> nodes.Template:
    """Parse a template source, turning syntax errors into a TemplateError naming it."""
    try:
        return env.parse(source, name=name)
    except TemplateSyntaxError as error:
        message = f"template {name}: syntax error line {error.lineno}: {error.message}"
        raise TemplateError(message) from error


def check_variables(name: str, ast: nodes.Template, declared: frozenset[str]) -> frozenset[str]:
    """Fail if the template uses a variable it did not declare; return the variables used."""
    used = frozenset(meta.find_undeclared_variables(ast))
    if unknown := used - declared:
        raise TemplateError(f"template {name} uses undeclared variable {_names(unknown)}")
    return used


def check_declared_exist(
    name: str, declared: frozenset[str], available: frozenset[str], context_name: str
) -> None:
    """Fail if a declared placeholder is not a field of the message type's context."""
    if missing := declared - available:
        raise TemplateError(
            f"template {name} declares placeholder {_names(missing)} "
            f"but {context_name} has no such field"
        )


def check_declared_used(name: str, declared: frozenset[str], used: Iterable[str]) -> None:
    """Fail if the manifest declares a placeholder no part of the template uses."""
    if unused := declared - frozenset(used):
        raise TemplateError(f"template {name} declares {_names(unused)} but never uses it")


def check_json_outputs(name: str, ast: nodes.Template) -> None:
    """Fail if a JSON template prints a value without `|tojson` (which would break JSON)."""
    for output in ast.find_all(nodes.Output):
        for node in output.nodes:
            if isinstance(node, nodes.TemplateData):
                continue
            if not (isinstance(node, nodes.Filter) and node.name == "tojson"):
                raise TemplateError(
                    f"template {name} line {node.lineno}: JSON values must end with |tojson"
                )


def _names(names: Iterable[str]) -> str:
    return ", ".join(repr(name) for name in sorted(names))

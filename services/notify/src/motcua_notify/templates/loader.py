"""Reads the template files shipped in this package into a checked TemplateRegistry.

Layout: one folder per message type, holding a `manifest.toml` with one table per
template version (`["email.v1"]`, `["sms.v1"]`, ...) that lists its placeholders,
and the files named after it:

- email: `email.v1.subject.txt`, `email.v1.html`, `email.v1.txt`
- sms: `sms.v1.txt`
- webhook: `webhook.v1.json` (every value printed through `|tojson`)
- zalo: `zalo.v1.toml` with `template_id` and a `[params]` table of ZNS parameter
  name to a one-line template.
"""

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.rendering import PARAM_PREFIX, SmsPolicy, TemplateRegistry, TemplateSpec
from motcua_notify.domain.template_checks import TemplateError

__all__ = ["load_registry", "load_specs"]

_E = TypeVar("_E", MessageType, Channel)
_KEY = re.compile(r"(?P<channel>[a-z]+)\.v(?P<version>[1-9]\d*)")
_FILES = {
    Channel.EMAIL: {"subject": "subject.txt", "html": "html", "text": "txt"},
    Channel.SMS: {"text": "txt"},
    Channel.WEBHOOK: {"payload": "json"},
}


def load_registry(
    sms_policy: SmsPolicy | None = None,
    zns_template_ids: Mapping[MessageType, str] | None = None,
    root: Traversable | None = None,
) -> TemplateRegistry:
    """Load and check every shipped template; ZNS ids may be overridden per deployment."""
    specs = list(load_specs(root or files(__package__ or "motcua_notify.templates")))
    overrides = zns_template_ids or {}
    specs = [_with_zns_id(spec, overrides.get(spec.message_type)) for spec in specs]
    return TemplateRegistry(specs, sms_policy)


def load_specs(root: Traversable) -> Iterator[TemplateSpec]:
    """Yield a TemplateSpec for every template declared in the manifests under `root`."""
    for folder in sorted(root.iterdir(), key=lambda entry: entry.name):
        if folder.is_dir() and (folder / "manifest.toml").is_file():
            yield from _folder_specs(folder)


def _folder_specs(folder: Traversable) -> Iterator[TemplateSpec]:
    message_type = _enum(MessageType, folder.name, f"folder {folder.name}")
    manifest = tomllib.loads((folder / "manifest.toml").read_text("utf-8"))
    for key, table in manifest.items():
        match = _KEY.fullmatch(key)
        if match is None:
            raise TemplateError(f"{folder.name}/manifest.toml: bad template key {key!r}")
        channel = _enum(Channel, match["channel"], f"{folder.name}/manifest.toml")
        yield _spec(folder, message_type, channel, int(match["version"]), table)


def _spec(
    folder: Traversable,
    message_type: MessageType,
    channel: Channel,
    version: int,
    table: dict[str, Any],
) -> TemplateSpec:
    stem = f"{channel}.v{version}"
    placeholders = frozenset(table.get("placeholders", ()))
    if channel is Channel.ZALO:
        zalo = tomllib.loads(_read(folder, f"{stem}.toml"))
        parts = {PARAM_PREFIX + name: src for name, src in zalo.get("params", {}).items()}
        return TemplateSpec(
            message_type, channel, version, placeholders, parts, zalo.get("template_id")
        )
    parts = {part: _read(folder, f"{stem}.{ext}") for part, ext in _FILES[channel].items()}
    return TemplateSpec(message_type, channel, version, placeholders, parts)


def _read(folder: Traversable, name: str) -> str:
    path = folder / name
    if not path.is_file():
        raise TemplateError(f"template file {folder.name}/{name} is missing")
    return path.read_text("utf-8")


def _enum(kind: type[_E], value: str, where: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        raise TemplateError(f"{where}: unknown {kind.__name__} {value!r}") from None


def _with_zns_id(spec: TemplateSpec, template_id: str | None) -> TemplateSpec:
    if spec.channel is not Channel.ZALO or template_id is None:
        return spec
    return replace(spec, zns_template_id=template_id)

"""The template registry: built and checked once at start-up, then renders messages.

Every template is a set of named parts (email: subject, html, text; sms: text;
webhook: payload; zalo: one part per ZNS parameter, named "param.<name>").
Building the registry parses every part and fails with a TemplateError when a
part uses a variable its manifest does not declare, or declares a placeholder
the message type's context does not have, so nothing is discovered at send time.
"""

import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jinja2 import DictLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from motcua_notify.domain.content import (
    EmailContent,
    MessageContent,
    SmsContent,
    WebhookContent,
    ZnsContent,
)
from motcua_notify.domain.contexts import CONTEXT_TYPES, MessageContext, as_variables, field_names
from motcua_notify.domain.local_time import format_day, format_local, iso_format
from motcua_notify.domain.messages import Audience, Channel, MessageType
from motcua_notify.domain.sms import measure
from motcua_notify.domain.template_checks import (
    TemplateError,
    check_declared_exist,
    check_declared_used,
    check_json_outputs,
    check_variables,
    parse,
)

__all__ = [
    "PARAM_PREFIX",
    "Rendered",
    "SmsPolicy",
    "SmsTooLongError",
    "TemplateRegistry",
    "TemplateSpec",
    "required_channels",
]

PARAM_PREFIX = "param."
_PARTS: dict[Channel, frozenset[str]] = {
    Channel.EMAIL: frozenset({"subject", "html", "text"}),
    Channel.SMS: frozenset({"text"}),
    Channel.WEBHOOK: frozenset({"payload"}),
}


@dataclass(frozen=True)
class TemplateSpec:
    """One version of one message type's template for one channel, as loaded."""

    message_type: MessageType
    channel: Channel
    version: int
    placeholders: frozenset[str]
    parts: Mapping[str, str]
    zns_template_id: str | None = None

    @property
    def name(self) -> str:
        """The template's name in errors and logs, e.g. "receipt/email.v1"."""
        return f"{self.message_type}/{self.channel}.v{self.version}"


@dataclass(frozen=True)
class SmsPolicy:
    """How long a rendered SMS may be, and whether to strip diacritics (GSM-7 gateways)."""

    max_segments: int = 2
    unaccented: bool = False


@dataclass(frozen=True)
class Rendered:
    """A rendered message with the template version that produced it."""

    content: MessageContent
    version: int


class SmsTooLongError(ValueError):
    """A rendered SMS needs more segments than the policy allows."""


def required_channels(message_type: MessageType) -> frozenset[Channel]:
    """Return the channels a message type must have a template for."""
    if message_type.audience is Audience.CITIZEN:
        return frozenset({Channel.EMAIL, Channel.SMS, Channel.ZALO})
    if message_type in (MessageType.DUE_SOON, MessageType.OVERDUE, MessageType.ALERT_WITHDRAWN):
        return frozenset({Channel.EMAIL, Channel.WEBHOOK, Channel.SMS})
    return frozenset({Channel.EMAIL, Channel.WEBHOOK})


class TemplateRegistry:
    """Checked templates, rendered by message type and channel (latest version by default)."""

    def __init__(
        self,
        specs: Iterable[TemplateSpec],
        sms_policy: SmsPolicy | None = None,
        *,
        require_all: bool = True,
    ) -> None:
        """Check every template; with `require_all`, also that no required template is missing."""
        self._specs = {(s.message_type, s.channel, s.version): s for s in specs}
        self._sms_policy = sms_policy or SmsPolicy()
        self._env = _environment(self._specs.values())
        for spec in self._specs.values():
            _check(self._env, spec)
        if require_all:
            _check_coverage(self._specs.keys())
        self._latest: dict[tuple[MessageType, Channel], int] = {}
        for t, c, v in self._specs:
            self._latest[(t, c)] = max(v, self._latest.get((t, c), v))
        self._templates = {
            (key, part): self._env.get_template(_part_name(spec, part))
            for key, spec in self._specs.items()
            for part in spec.parts
        }

    def channels_for(self, message_type: MessageType) -> frozenset[Channel]:
        """Return the channels this message type has a template for."""
        return frozenset(c for t, c, _ in self._specs if t is message_type)

    def latest_version(self, message_type: MessageType, channel: Channel) -> int:
        """Return the highest loaded version for a message type and channel."""
        try:
            return self._latest[(message_type, channel)]
        except KeyError:
            raise KeyError(f"no template for {message_type}/{channel}") from None

    def spec(self, message_type: MessageType, channel: Channel, version: int) -> TemplateSpec:
        """Return one loaded template version."""
        return self._specs[(message_type, channel, version)]

    def render(
        self,
        message_type: MessageType,
        channel: Channel,
        context: MessageContext,
        version: int | None = None,
    ) -> Rendered:
        """Render one message; raises TypeError if the context is for another message type."""
        expected = CONTEXT_TYPES[message_type]
        if not isinstance(context, expected):
            got = type(context).__name__
            raise TypeError(f"{message_type} needs {expected.__name__}, got {got}")
        version = version or self.latest_version(message_type, channel)
        spec = self.spec(message_type, channel, version)
        variables = as_variables(context)
        parts = {part: self._render_part(spec, part, variables) for part in spec.parts}
        return Rendered(self._build(spec, parts), spec.version)

    def _render_part(self, spec: TemplateSpec, part: str, variables: dict[str, object]) -> str:
        template = self._templates[((spec.message_type, spec.channel, spec.version), part)]
        return unicodedata.normalize("NFC", template.render(variables).strip())

    def _build(self, spec: TemplateSpec, parts: Mapping[str, str]) -> MessageContent:
        match spec.channel:
            case Channel.EMAIL:
                subject = " ".join(parts["subject"].split())
                return EmailContent(subject, parts["html"], parts["text"])
            case Channel.SMS:
                return _sms(spec, parts["text"], self._sms_policy)
            case Channel.ZALO:
                params = {name.removeprefix(PARAM_PREFIX): value for name, value in parts.items()}
                return ZnsContent(spec.zns_template_id or "", params)
            case Channel.WEBHOOK:
                return _webhook(spec, parts["payload"])


def _sms(spec: TemplateSpec, text: str, policy: SmsPolicy) -> SmsContent:
    content = SmsContent(" ".join(text.split()))
    if policy.unaccented:
        content = content.unaccented()
    size = measure(content.text)
    if size.segments > policy.max_segments:
        raise SmsTooLongError(
            f"{spec.name} rendered to {size.segments} {size.encoding} segments "
            f"(limit {policy.max_segments})"
        )
    return content


def _webhook(spec: TemplateSpec, rendered: str) -> WebhookContent:
    payload = json.loads(rendered)
    if not isinstance(payload, dict):
        raise TemplateError(f"template {spec.name} must render a JSON object")
    return WebhookContent(payload)


def _part_name(spec: TemplateSpec, part: str) -> str:
    return f"{spec.name}/{part}"


def _environment(specs: Iterable[TemplateSpec]) -> SandboxedEnvironment:
    sources = {_part_name(s, part): src for s in specs for part, src in s.parts.items()}
    env = SandboxedEnvironment(
        loader=DictLoader(sources),
        undefined=StrictUndefined,
        autoescape=lambda name: name is not None and name.endswith("/html"),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Parts use only the variables their manifest declares (checked at start-up), never
    # Jinja's globals (range, dict, cycler...): without them every render's context is built
    # from its variables alone (copying the globals was most of a render's time).
    env.globals.clear()
    env.filters["vn_time"] = format_local
    env.filters["vn_date"] = format_day
    env.filters["iso"] = iso_format
    return env


def _check(env: SandboxedEnvironment, spec: TemplateSpec) -> None:
    _check_parts(spec)
    context_type = CONTEXT_TYPES[spec.message_type]
    available = field_names(context_type)
    check_declared_exist(spec.name, spec.placeholders, available, context_type.__name__)
    used: set[str] = set()
    for part, source in spec.parts.items():
        ast = parse(env, _part_name(spec, part), source)
        used |= check_variables(_part_name(spec, part), ast, spec.placeholders)
        if part == "payload":
            check_json_outputs(_part_name(spec, part), ast)
    check_declared_used(spec.name, spec.placeholders, used)


def _check_parts(spec: TemplateSpec) -> None:
    if spec.channel is Channel.ZALO:
        if not spec.zns_template_id:
            raise TemplateError(f"template {spec.name} has no ZNS template id")
        if not spec.parts or not all(p.startswith(PARAM_PREFIX) for p in spec.parts):
            raise TemplateError(f"template {spec.name} needs parts named {PARAM_PREFIX}<name>")
        return
    expected = _PARTS[spec.channel]
    if frozenset(spec.parts) != expected:
        raise TemplateError(
            f"template {spec.name} has parts {sorted(spec.parts)}, expected {sorted(expected)}"
        )


def _check_coverage(keys: Iterable[tuple[MessageType, Channel, int]]) -> None:
    present = {(t, c) for t, c, _ in keys}
    wanted = [(t, c) for t in MessageType for c in sorted(required_channels(t))]
    missing = [f"{t}/{c}" for t, c in wanted if (t, c) not in present]
    if missing:
        raise TemplateError(f"no template for {', '.join(missing)}")

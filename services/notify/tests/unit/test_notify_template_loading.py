"""The start-up checks: a broken template stops the service before it sends anything."""

import pytest

from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.rendering import TemplateRegistry, TemplateSpec
from motcua_notify.domain.template_checks import TemplateError
from motcua_notify.templates import load_registry, load_specs

EMAIL = {"subject": "Hồ sơ {{ dossier_code }}", "html": "<p>{{ dossier_code }}</p>", "text": "x"}


def spec(parts, placeholders=("dossier_code",), channel=Channel.EMAIL, **extra):
    return TemplateSpec(MessageType.RECEIPT, channel, 1, frozenset(placeholders), parts, **extra)


def build(*specs):
    return TemplateRegistry(specs, require_all=False)


def test_shipped_templates_load_and_cover_every_required_channel():
    registry = load_registry()

    assert registry.channels_for(MessageType.RECEIPT) == {Channel.EMAIL, Channel.SMS, Channel.ZALO}
    assert registry.channels_for(MessageType.DUE_SOON) == {
        Channel.EMAIL,
        Channel.SMS,
        Channel.WEBHOOK,
    }
    assert registry.channels_for(MessageType.DAILY_DIGEST) == {Channel.EMAIL, Channel.WEBHOOK}


def test_undeclared_variable_fails_naming_template_and_variable():
    parts = {**EMAIL, "text": "Hẹn trả {{ apointment_at }}"}

    with pytest.raises(TemplateError) as error:
        build(spec(parts))

    assert str(error.value) == (
        "template receipt/email.v1/text uses undeclared variable 'apointment_at'"
    )


def test_placeholder_missing_from_the_context_fails():
    parts = {**EMAIL, "text": "{{ fee_amount }}"}

    with pytest.raises(
        TemplateError,
        match=r"receipt/email.v1 declares placeholder 'fee_amount'"
        r" but ReceiptContext has no such field",
    ):
        build(spec(parts, placeholders=("dossier_code", "fee_amount")))


def test_declared_but_unused_placeholder_fails():
    with pytest.raises(TemplateError, match="declares 'lookup_url' but never uses it"):
        build(spec(EMAIL, placeholders=("dossier_code", "lookup_url")))


def test_loop_variables_are_not_mistaken_for_placeholders():
    parts = {**EMAIL, "text": "{% for item in [1, 2] %}{{ item }}{% endfor %}"}

    build(spec(parts))


def test_syntax_error_names_the_template():
    parts = {**EMAIL, "html": "<p>{{ dossier_code </p>"}

    with pytest.raises(TemplateError, match=r"receipt/email.v1/html: syntax error line 1"):
        build(spec(parts))


def test_email_without_a_part_fails():
    with pytest.raises(TemplateError, match="expected \\['html', 'subject', 'text'\\]"):
        build(spec({"subject": "{{ dossier_code }}", "text": "x"}))


def test_json_value_without_tojson_fails():
    parts = {"payload": '{"code": "{{ dossier_code }}"}'}

    with pytest.raises(TemplateError, match="JSON values must end with \\|tojson"):
        build(spec(parts, channel=Channel.WEBHOOK))


def test_zalo_template_needs_an_id():
    parts = {"param.ma_ho_so": "{{ dossier_code }}"}

    with pytest.raises(TemplateError, match="has no ZNS template id"):
        build(spec(parts, channel=Channel.ZALO))


def test_missing_required_template_fails_at_start_up():
    specs = [s for s in load_specs(_shipped()) if s.channel is not Channel.ZALO]

    with pytest.raises(TemplateError, match="no template for receipt/zalo"):
        TemplateRegistry(specs)


def test_highest_version_is_used_unless_asked(samples):
    shipped = [s for s in load_specs(_shipped())]
    v2 = spec({"text": "v2 {{ dossier_code }}"}, channel=Channel.SMS)
    v2 = TemplateSpec(v2.message_type, v2.channel, 2, v2.placeholders, v2.parts)
    registry = TemplateRegistry([*shipped, v2])
    context = samples[MessageType.RECEIPT]

    assert registry.render(MessageType.RECEIPT, Channel.SMS, context).content.text == (
        "v2 H12.22-250303-0001"
    )
    assert registry.render(MessageType.RECEIPT, Channel.SMS, context, version=1).version == 1


def test_zns_template_ids_are_overridden_per_deployment(samples):
    registry = load_registry(zns_template_ids={MessageType.RECEIPT: "412345"})

    rendered = registry.render(MessageType.RECEIPT, Channel.ZALO, samples[MessageType.RECEIPT])

    assert rendered.content.template_id == "412345"


def test_manifest_with_unknown_channel_fails(tmp_path):
    folder = tmp_path / "receipt"
    folder.mkdir()
    (folder / "manifest.toml").write_text('["fax.v1"]\nplaceholders = []\n', encoding="utf-8")

    with pytest.raises(TemplateError, match="unknown Channel 'fax'"):
        list(load_specs(tmp_path))


def test_manifest_naming_a_missing_file_fails(tmp_path):
    folder = tmp_path / "receipt"
    folder.mkdir()
    (folder / "manifest.toml").write_text('["sms.v1"]\nplaceholders = []\n', encoding="utf-8")

    with pytest.raises(TemplateError, match=r"receipt/sms\.v1\.txt is missing"):
        list(load_specs(tmp_path))


def _shipped():
    from importlib.resources import files

    return files("motcua_notify.templates")

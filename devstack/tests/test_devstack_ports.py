from __future__ import annotations

import json
import socket

import pytest

from motcua_devstack.errors import StackError
from motcua_devstack.layout import Layout
from motcua_devstack.ports import HOST, PORT_NAMES, ensure_free, load_ports


def test_ports_are_chosen_once_and_kept(layout: Layout) -> None:
    first = load_ports(layout)
    again = load_ports(layout)

    assert set(first) == set(PORT_NAMES)
    assert len(set(first.values())) == len(PORT_NAMES)
    assert again == first
    assert json.loads(layout.ports_file.read_text()) == first


def test_a_port_added_later_is_chosen_without_moving_the_others(layout: Layout) -> None:
    kept = {name: port for name, port in load_ports(layout).items() if name != "notify"}
    layout.ports_file.write_text(json.dumps(kept))

    ports = load_ports(layout)

    assert {name: ports[name] for name in kept} == kept
    assert ports["notify"] not in kept.values()


def test_a_kept_port_taken_by_someone_else_is_named_in_the_error(layout: Layout) -> None:
    with socket.socket() as squatter:
        squatter.bind((HOST, 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        with pytest.raises(StackError) as raised:
            ensure_free("kafka", port, layout)

    message = str(raised.value)
    assert f"{HOST}:{port}" in message
    assert "ports.json" in message

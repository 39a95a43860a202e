"""Dependencies of the HTTP routes, taken from the app's state (set by `create_app`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from motcua_scoring.service import ChangeHub, Reader
from motcua_scoring.settings import ScoringSettings

__all__ = ["HubDep", "ReaderDep", "SettingsDep"]


def _reader(request: Request) -> Reader:
    reader: Reader = request.app.state.reader
    return reader


def _hub(request: Request) -> ChangeHub:
    hub: ChangeHub = request.app.state.hub
    return hub


def _settings(request: Request) -> ScoringSettings:
    settings: ScoringSettings = request.app.state.settings
    return settings


ReaderDep = Annotated[Reader, Depends(_reader)]
HubDep = Annotated[ChangeHub, Depends(_hub)]
SettingsDep = Annotated[ScoringSettings, Depends(_settings)]

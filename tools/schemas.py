"""Export the JSON Schema of every event to schemas/events/ (the published contract).

    uv run python tools/schemas.py
Run it when adding an event type or an optional field; the contract test then pins it.
"""

from pathlib import Path

from motcua.events.schemas import export_schemas

ROOT = Path(__file__).resolve().parent.parent / "schemas" / "events"

if __name__ == "__main__":
    for path in export_schemas(ROOT):
        print(path.relative_to(ROOT.parent.parent))

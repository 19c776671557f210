"""``sitroom schema``: JSON Schema of each file kind, for editor completion and checking."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sim.models import KINDS

DRAFT = "https://json-schema.org/draft/2020-12/schema"


NUMERIC_TEXT = r"^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"
"""A number written as text (``"60"``), which the loader's models accept wherever a number
goes; the schema must accept it too, or editors underline files that `sitroom` takes."""
BOOL_TEXT = ["true", "false", "yes", "no", "on", "off", "t", "f", "y", "n", "1", "0"]


def lax(node: Any) -> Any:
    """The schema with every number, integer and boolean also accepted as the text pydantic's
    lax mode converts, so the schema accepts exactly what the loader accepts."""
    if isinstance(node, list):
        return [lax(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: lax(v) for k, v in node.items()}
    kind = out.get("type")
    if kind in ("number", "integer"):
        keep = {
            k: v for k, v in out.items() if k not in ("title", "description", "examples", "default")
        }
        meta = {
            k: v for k, v in out.items() if k in ("title", "description", "examples", "default")
        }
        return {**meta, "anyOf": [keep, {"type": "string", "pattern": NUMERIC_TEXT}]}
    if kind == "boolean":
        meta = {
            k: v for k, v in out.items() if k in ("title", "description", "examples", "default")
        }
        return {**meta, "anyOf": [{"type": "boolean"}, {"enum": [*BOOL_TEXT, 0, 1]}]}
    return out


def schema_text(kind: str) -> str:
    """The JSON Schema of a file kind, as committed under ``schema/`` (stable, newline-ended)."""
    schema = {"$schema": DRAFT, **lax(KINDS[kind].model_json_schema())}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def file_name(kind: str) -> str:
    """``scenario`` -> ``scenario.schema.json``."""
    return f"{kind}.schema.json"


@click.command("schema")
@click.argument("kind", required=False, type=click.Choice(sorted(KINDS)))
@click.option(
    "--write",
    "write_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write KIND.schema.json (every kind if KIND is left out) into this folder.",
)
def schema_command(kind: str | None, write_dir: Path | None) -> None:
    """Print the JSON Schema of a file KIND (default: scenario).

    Editors with the YAML language server use it for completion and inline errors when a file
    starts with a line like:

    \b
      # yaml-language-server: $schema=schema/scenario.schema.json

    \b
    Examples:
      sitroom schema actor
      sitroom schema --write schema     (regenerates the committed schema/*.schema.json)
    """
    if write_dir is None:
        click.echo(schema_text(kind or "scenario"), nl=False)
        return
    from sim.authoring.problems import UserError
    from sim.record.output import check_output, write_text

    try:
        write_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{write_dir}: cannot create the folder ({exc.strerror})") from None
    names = [kind] if kind else sorted(KINDS)
    for name in names:
        check_output(write_dir / file_name(name), "schema")
    for name in names:
        target = write_dir / file_name(name)
        write_text(target, [schema_text(name)], "schema")
        click.echo(f"wrote {target}")
    from ui.cli.new import schema_header

    rel, _ = schema_header(Path("."), kind or "scenario")
    click.echo(
        f"start a {kind or 'scenario'} file here with: # yaml-language-server: $schema={rel}\n"
        "in a subfolder, go up from that file's folder (e.g. $schema=../"
        f"{rel}); `sitroom new scenario NAME --dir SUB` writes the right path"
    )

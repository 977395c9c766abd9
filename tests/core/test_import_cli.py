"""`rapport import customers`: the example file, both modes, a mapping, and bad options."""

from __future__ import annotations

import uuid
from pathlib import Path

from click.testing import CliRunner

from rapport.core.cli import main


def invoke(database_url: str, *args: str) -> tuple[int, str]:
    environment = {"RAPPORT_DATABASE_URL": database_url, "RAPPORT_PLUGINS": "none"}
    result = CliRunner().invoke(main, list(args), env=environment)
    return result.exit_code, result.output


def test_example_file_in_both_modes(database_url: str, project_root: Path) -> None:
    example = str(project_root / "examples" / "customers-with-problems.csv")
    name = f"ws-{uuid.uuid4().hex[:10]}"
    assert invoke(database_url, "workspace", "create", name)[0] == 0

    code, output = invoke(database_url, "import", "customers", example, "--workspace", name)
    assert code == 1
    assert "row 6, column email: 'alan@not-an-email' is not an email address" in output
    assert "row 7, column birth_date: must not be in the future" in output
    assert "nothing imported: 2 of 6 rows have problems" in output

    args = ["import", "customers", example, "--workspace", name, "--mode", "skip-bad-rows"]
    code, output = invoke(database_url, *args)
    assert code == 0, output
    assert (
        "imported 6 rows: 4 created, 0 updated, 0 skipped as duplicates, 2 with problems" in output
    )
    code, output = invoke(database_url, *args)
    assert "0 created, 0 updated, 4 skipped as duplicates" in output


def test_mapping_and_bad_options(database_url: str, tmp_path: Path) -> None:
    name = f"ws-{uuid.uuid4().hex[:10]}"
    invoke(database_url, "workspace", "create", name)
    source = tmp_path / "people.csv"
    source.write_text("Surname,Mail,Note\nLovelace,ada@x.example,hi\n", encoding="utf-8")
    code, output = invoke(database_url, "import", "customers", str(source), "--workspace", name)
    assert code == 1
    assert "row 1, column Surname: not a customer field" in output
    mapping = "Surname=last_name,Mail=email,Note="
    code, output = invoke(
        database_url, "import", "customers", str(source), "--workspace", name, "--mapping", mapping
    )
    assert code == 0, output
    assert "1 created" in output
    code, output = invoke(database_url, "import", "customers", str(source), "--workspace", "nope")
    assert code == 1
    assert "no workspace named 'nope'" in output
    code, output = invoke(
        database_url, "import", "customers", str(source), "--workspace", name, "--mapping", "x"
    )
    assert code == 1
    assert "'x' is not COLUMN=FIELD" in output

"""`--safe`, for sources that may be hostile: nothing is read from outside the project
root, not even through a symbolic link, and size limits the sources cannot raise."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cjdsl.cli import main
from tests.conftest import write

SECRET = "password = hunter2\n"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_a_link_to_a_file_outside_the_root_is_refused(project: Path, tmp_path_factory: object) -> None:
    outside = Path(str(tmp_path_factory.mktemp("outside"))) / "secret.txt"  # type: ignore[attr-defined]
    outside.write_text(SECRET, encoding="utf-8")
    write(project, {"j.journey": 'journey j "J"\n'})
    (project / "leak.journey").symlink_to(outside)
    # Without --safe the link is followed (the project is trusted), and the secret shows
    # up in the syntax error: exactly what a build of a hostile pull request must not do.
    code, out, _ = invoke("check", str(project))
    assert code == 1 and "hunter2" in out
    code, out, err = invoke("--safe", "check", str(project))
    assert code == 2 and "hunter2" not in out + err
    assert "--safe" in err and "outside the project root" in err


def test_links_inside_the_root_are_fine(project: Path) -> None:
    write(project, {"real/j.journey": 'journey j "J"\n'})
    (project / "alias.journey").symlink_to(project / "real" / "j.journey")
    code, _, err = invoke("--safe", "check", "--select", "CJ0", str(project))
    assert code == 0, err


def test_the_settings_cannot_raise_the_size_limit(project: Path) -> None:
    (project / "cjdsl.toml").write_text("max_file_size_mb = 100\n", encoding="utf-8")
    write(project, {"big.journey": 'journey j "J"\n' + "# padding\n" * 300_000})  # 3 MB
    assert invoke("check", "--select", "CJ0", str(project))[0] == 0
    code, out, _ = invoke("--safe", "check", str(project))
    assert code == 1 and "CJ007" in out


def test_a_linked_tracking_lock_is_not_read(project: Path, tmp_path_factory: object) -> None:
    outside = Path(str(tmp_path_factory.mktemp("outside"))) / "secret.json"  # type: ignore[attr-defined]
    outside.write_text('{"not": "a lock"}', encoding="utf-8")
    write(project, {"j.journey": 'journey j "J"\n'})
    (project / "tracking.lock.json").symlink_to(outside)
    code, _, err = invoke("check", str(project))
    assert code == 2 and "tracking.lock.json" in err  # read, and found not to be a lock
    code, _, err = invoke("--safe", "check", str(project))
    assert code in (0, 1) and "tracking.lock.json" not in err

"""The measured map (`cjdsl build --events`, `[measure] events`): every number the site
shows is the number `cjdsl measure --format json` gives for the same events (which
tests/test_measure.py holds to an independent computation), nothing measured is shown
without events, values from the events stay text, and the build is deterministic."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, IN_CI, invoke

if not IN_CI:
    pytest.importorskip("duckdb")  # in CI a missing DuckDB fails (the import below), never skips
import duckdb  # noqa: F401

SHIPPED = EXAMPLES / "events" / "simulated.jsonl"


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The examples built with the shipped events, and `measure`'s report of them."""
    out = tmp_path_factory.mktemp("measured")
    code, report, err = invoke("measure", str(EXAMPLES), "--events", str(SHIPPED), "--format", "json")
    assert code == 0, err
    code, _, err = invoke("build", str(EXAMPLES), "--events", str(SHIPPED), "-o", str(out / "site"))
    assert code == 0, err
    return out / "site", json.loads(report)


def page(site: Path, journey: str) -> str:
    return (site / "journeys" / f"{journey}.html").read_text("utf-8")


def percent(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def test_the_shipped_events_are_the_documented_simulation(tmp_path: Path) -> None:
    """examples/events/simulated.jsonl is what the README says made it."""
    out = tmp_path / "events.jsonl"
    code, _, err = invoke("simulate", str(EXAMPLES), "--users", "1000", "--seed", "1", "-o", str(out))
    assert code == 0, err
    assert out.read_bytes() == SHIPPED.read_bytes()


def test_every_card_shows_the_users_measure_counts(measured: tuple[Path, dict[str, Any]]) -> None:
    site, report = measured
    checked = 0
    for journey in report["journeys"]:
        text = page(site, journey["id"])
        shown = {}
        for card in text.split('<article class="card')[1:]:
            card = card[: card.index("</article>")]
            users = re.search(r'data-users="(\d+)"', card)
            if users:
                shown[re.search(r'id="tp-([^"]+)"', card).group(1)] = int(users.group(1))  # type: ignore[union-attr]
        expected = {t["id"]: t["users"] for t in report["touchpoints"] if t["journey"] == journey["id"] and t["tracked"]}
        assert shown == expected, journey["id"]
        checked += len(expected)
    assert checked > 100


def test_kpis_show_measured_conversion_and_a_verdict_in_words(measured: tuple[Path, dict[str, Any]]) -> None:
    site, report = measured
    verdicts = set()
    for k in report["kpis"]:
        text = page(site, k["journey"])
        item = text[text.index(f'id="kpi-{k["id"]}"') :]
        item = item[: item.index("</li>")]
        verdict = {True: "met", False: "missed", None: "unjudged"}[k["met"]]
        verdicts.add(verdict)
        assert f'data-verdict="{verdict}"' in item
        assert f"<strong>{percent(k['conversion'])}</strong>" in item
        assert f"{k['completed']} of {k['entered']} users" in item
        if verdict == "met":
            assert "✓ meets target" in item  # never colour alone
        if verdict == "missed":
            assert "✗ misses target" in item
        for step in k["steps"]:
            row = re.search(rf'<tr data-tp="{re.escape(step["touchpoint"])}">.*?</tr>', item, re.S)
            assert row is not None
            cells = re.findall(r"<td>(.*?)</td>", row.group(0))
            assert cells[:4] == [
                str(step["users"]),
                percent(step["conversion_from_previous"]),
                percent(step["conversion_from_first"]),
                str(step["drop_off"]),
            ]
    assert {"met", "missed"} <= verdicts  # the examples' events show both


def test_undeclared_and_unused_flows_and_conformance(measured: tuple[Path, dict[str, Any]]) -> None:
    site, report = measured
    for journey in report["journeys"]:
        text = page(site, journey["id"])
        section = text[text.index('<section aria-labelledby="measured-h"') :]
        section = section[: section.index("</section>")]
        rows = re.findall(r'<tr data-flow="([^"]+)">.*?<td>(\d+)</td>', section, re.S)
        want = sorted(journey["undeclared_flows"], key=lambda f: (-f["users"], f["from"], f["to"]))[:25]
        assert [(r[0], int(r[1])) for r in rows] == [(f"{f['from']} {f['to']}", f["users"]) for f in want]
        for f in journey["declared_flows_not_taken"]:
            assert f'href="#tp-{f["from"]}"' in section and f'href="#tp-{f["to"]}"' in section
        assert f"<strong>{percent(journey['conformance']['fitness'])}</strong>" in section
        if not journey["undeclared_flows"]:
            assert "every flow customers took is on the map" in section


def test_next_links_carry_the_users_who_went_there(measured: tuple[Path, dict[str, Any]]) -> None:
    site, report = measured
    flows = [f for f in report["flows"] if f["journey"] == "hr_saas" and f["declared"] and not f["through_untracked"]]
    reach = {t["id"]: t["users"] for t in report["touchpoints"] if t["journey"] == "hr_saas"}
    text = page(site, "hr_saas")
    for f in flows:
        card = text[text.index(f'id="tp-{f["from"]}"') :]
        card = card[: card.index("</article>")]
        share = percent(f["users"] / reach[f["from"]] if reach[f["from"]] else None)
        noun = "user" if f["users"] == 1 else "users"
        assert f'href="#tp-{f["to"]}"' in card
        assert f"{f['users']} {noun}, {share}" in card, (f, card[-800:])


def test_persona_pages_show_the_numbers_too(measured: tuple[Path, dict[str, Any]]) -> None:
    site, _ = measured
    text = (site / "journeys" / "hr_saas.persona-anna.html").read_text("utf-8")
    assert 'class="lane-measured"' in text and "users reached it" in text


def test_touchpoints_whose_events_cannot_be_told_apart_say_so(measured: tuple[Path, dict[str, Any]]) -> None:
    site, _ = measured
    text = page(site, "hr_saas")
    card = text[text.index('id="tp-onboarding_sequence"') :]
    card = card[: card.index("</article>")]
    assert "its events cannot be told apart from those of" in card
    assert "nobody" not in card


def test_without_events_the_site_shows_no_measurement(tmp_path: Path) -> None:
    code, _, err = invoke("build", str(EXAMPLES / "hr_saas.journey"), "-o", str(tmp_path / "site"))
    assert code == 0, err
    text = (tmp_path / "site" / "journeys" / "hr_saas.html").read_text("utf-8")
    for mark in ('class="lane-measured"', 'id="measured"', "kpi-measured", "users reached it", "flow-users"):
        assert mark not in text


def test_measure_settings_give_the_same_site_as_the_option(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        shutil.copy(EXAMPLES / "hr_saas.journey", tmp_path / name / "hr_saas.journey")
        shutil.copy(SHIPPED, tmp_path / name / "events.jsonl")
    (tmp_path / "a" / "cjdsl.toml").write_text('[measure]\nevents = ["events.jsonl"]\n', "utf-8")
    (tmp_path / "b" / "cjdsl.toml").write_text("", "utf-8")
    code, _, err = invoke("build", str(tmp_path / "a"), "-o", str(tmp_path / "out-a"))
    assert code == 0, err
    code, _, err = invoke(
        "build", str(tmp_path / "b"), "--events", str(tmp_path / "b" / "events.jsonl"), "-o", str(tmp_path / "out-b")
    )
    assert code == 0, err
    a = (tmp_path / "out-a" / "journeys" / "hr_saas.html").read_bytes()
    assert a == (tmp_path / "out-b" / "journeys" / "hr_saas.html").read_bytes()
    assert b'id="measured"' in a


def test_the_measured_build_is_deterministic(tmp_path: Path) -> None:
    outs = []
    for n in (1, 2):
        out = tmp_path / f"site{n}"
        code, _, err = invoke("build", str(EXAMPLES / "hr_saas.journey"), "--events", str(SHIPPED), "-o", str(out))
        assert code == 0, err
        outs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outs[0] == outs[1]


HOSTILE = '<img src=x onerror="alert(1)">'


def test_values_from_the_events_stay_text(tmp_path: Path) -> None:
    """The events say the persona: a hostile value is shown as text, never markup."""
    journey = EXAMPLES / "hr_saas.journey"
    lines = SHIPPED.read_text("utf-8").splitlines()[:400]
    events = []
    for line in lines:
        e = json.loads(line)
        e.setdefault("context", {"traits": {}})["traits"]["persona"] = HOSTILE
        events.append(json.dumps(e))
    (tmp_path / "events.jsonl").write_text("\n".join(events) + "\n", "utf-8")
    (tmp_path / "cjdsl.toml").write_text("", "utf-8")
    shutil.copy(journey, tmp_path / "hr_saas.journey")
    code, _, err = invoke("build", str(tmp_path), "--events", str(tmp_path / "events.jsonl"), "-o", str(tmp_path / "site"))
    assert code == 0, err
    text = (tmp_path / "site" / "journeys" / "hr_saas.html").read_text("utf-8")
    assert HOSTILE not in text
    assert "&lt;img src=x onerror=" in text  # shown, as text


def test_safe_refuses_events_outside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "cjdsl.toml").write_text("", "utf-8")
    shutil.copy(EXAMPLES / "hr_saas.journey", root / "hr_saas.journey")
    outside = tmp_path / "outside.jsonl"
    shutil.copy(SHIPPED, outside)
    code, _, err = invoke("--safe", "build", ".", "--events", str(outside), "-o", str(tmp_path / "site"), cwd=root)
    assert code == 2
    assert "--safe" in err and not (tmp_path / "site").exists()


def test_safe_bounds_the_events_a_build_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cjdsl.measure.run as run

    (tmp_path / "cjdsl.toml").write_text('[measure]\nevents = ["events.jsonl"]\n', "utf-8")
    shutil.copy(EXAMPLES / "hr_saas.journey", tmp_path / "hr_saas.journey")
    shutil.copy(SHIPPED, tmp_path / "events.jsonl")
    monkeypatch.setattr(run, "SAFE_MAX_EVENT_BYTES", SHIPPED.stat().st_size - 1)
    code, _, err = invoke("--safe", "build", ".", "-o", str(tmp_path / "site"), cwd=tmp_path)
    assert code == 2 and "--safe: the events files hold" in err
    assert not (tmp_path / "site").exists()

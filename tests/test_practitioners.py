"""Rules and outputs outside web lead generation: `untracked` touchpoints and channels,
first-visit paths only where the company lays out the page, hints a new user needs."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import cjdsl
from cjdsl.cli import main
from tests.conftest import invoke, write

CLINIC = """journey clinic "Dental clinic" {
  version "1"
}
channel maps "Google Maps" online search {
  untracked "a listing on Google's site"
}
channel site "Clinic website" online web
intent book "Book a visit"
channel mail "Personal e-mail from the dentist" online email
stage find "Find" phase awareness {
  touchpoint listing "Finds the clinic on the map" {
    channel maps
    entry
    next booking
  }

  touchpoint follow_up "Gets a note from the dentist" {
    channel mail
    untracked
  }
}
stage book "Book" phase purchase {
  touchpoint booking "Books online" {
    channel site
    event "Appointment Booked"
  }
}
"""


def test_untracked_touchpoints_and_channels_need_no_event(project: Path) -> None:
    write(project, {"j.journey": CLINIC})
    diagnostics = cjdsl.check([project]).diagnostics
    assert [d for d in diagnostics if d.code == "CJ214"] == []
    write(
        project, {"j.journey": CLINIC.replace('  untracked "a listing on Google\'s site"\n', "").replace("    untracked\n", "")}
    )
    flagged = sorted(d.message.split("`")[1] for d in cjdsl.check([project]).diagnostics if d.code == "CJ214")
    assert flagged == ["follow_up", "listing"]


def test_untracked_shows_in_the_site_the_plan_and_the_json(project: Path) -> None:
    write(project, {"j.journey": CLINIC})
    code, _, err = invoke("build", str(project), "-o", str(project / "site"))
    assert code == 0, err
    site = project / "site"
    page = (site / "journeys" / "clinic.html").read_text(encoding="utf-8")
    assert "Not tracked: a listing on Google&#39;s site" in page and "Not tracked</p>" in page
    plan = json.loads((site / "tracking" / "tracking-plan.json").read_text(encoding="utf-8"))
    assert [(u["touchpoint"], u["reason"]) for u in plan["untracked"]] == [
        ("listing", "a listing on Google's site"),
        ("follow_up", None),
    ]
    assert "## Not tracked" in (site / "tracking" / "tracking-plan.md").read_text(encoding="utf-8")
    model = json.loads((site / "json" / "clinic.json").read_text(encoding="utf-8"))
    touchpoints = {t["id"]: t for s in model["stages"] for t in s["touchpoints"]}
    assert touchpoints["listing"]["untracked"] == "a listing on Google's site"
    assert touchpoints["booking"]["untracked"] is None


def test_untracked_formats_and_parses_back() -> None:
    text, diagnostics = cjdsl.format_text(CLINIC)
    assert not diagnostics and text is not None
    assert '  untracked "a listing on Google\'s site"\n' in text and "    untracked\n" in text
    assert cjdsl.format_text(text)[0] == text


def test_first_visit_paths_are_checked_on_pages_the_company_lays_out(project: Path) -> None:
    # The map listing leads to one place: not a page of the clinic's, so not checked.
    write(project, {"j.journey": CLINIC})
    assert "CJ208" not in {d.code for d in cjdsl.check([project]).diagnostics}
    on_site = CLINIC.replace("    channel maps\n    entry\n", "    channel site\n    entry\n")
    booked = '    event "Appointment Booked"\n'
    write(project, {"j.journey": on_site.replace(booked, "    intent book\n" + booked)})
    assert "CJ208" in {d.code for d in cjdsl.check([project]).diagnostics}


def test_a_forgotten_comma_in_a_list_gets_its_own_hint(project: Path) -> None:
    write(project, {"j.journey": 'journey j "J"\nstage s {\n  touchpoint t {\n    next a b\n    persona x y\n  }\n}\n'})
    code, out, _ = invoke("check", "--format", "concise", str(project))
    assert code == 1
    assert "error[CJ001] `b` follows `a` without a comma" in out and "`y` follows `x` without a comma" in out


def test_unknown_event_names_get_a_did_you_mean(project: Path, tmp_path: Path) -> None:
    write(project, {"j.journey": CLINIC})
    events = tmp_path / "events.jsonl"
    lines = [
        {"type": "track", "event": name, "properties": {}} for name in ("appointment_booked", "Appointment  Booked", "Other")
    ]
    events.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = CliRunner().invoke(main, ["events", "validate", str(project), str(events), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["unknown_event_hints"] == {
        "Appointment  Booked": "Appointment Booked",
        "appointment_booked": "Appointment Booked",
    }
    text = CliRunner().invoke(main, ["events", "validate", str(project), str(events)]).stdout
    assert "appointment_booked: 1  (did you mean Appointment Booked?)" in text


def test_render_help_lists_every_target() -> None:
    from cjdsl.backends import backends

    text = CliRunner().invoke(main, ["render", "--help"]).stdout
    for name in [*backends(), "dot", "svg", "png", "pdf"]:
        assert name in text, name


def test_build_says_journey_and_journeys(project: Path) -> None:
    write(project, {"j.journey": CLINIC})
    _, _, err = invoke("build", str(project), "-o", str(project / "site"), "--only", "json")
    assert "from 1 journey." in err


def test_undescribed_events_are_a_policy_a_team_turns_on(project: Path) -> None:
    write(project, {"j.journey": CLINIC})
    assert "CJ227" not in {d.code for d in cjdsl.check([project]).diagnostics}
    for settings in ('select = ["ALL", "undescribed-event"]\n', '[rules.undescribed-event]\nseverity = "error"\n'):
        (project / "cjdsl.toml").write_text(settings, encoding="utf-8")
        found = [d for d in cjdsl.check([project]).diagnostics if d.code == "CJ227"]
        assert [d.message for d in found] == ['event "Appointment Booked" has no description'], settings
    (project / "cjdsl.toml").write_text('select = ["CJ2"]\n', encoding="utf-8")  # a prefix is not asking by name
    assert "CJ227" not in {d.code for d in cjdsl.check([project]).diagnostics}
    assert "off unless `select` names it" in CliRunner().invoke(main, ["explain", "CJ227"]).stdout


def test_event_names_with_phrasal_verbs_and_connecting_words_follow_the_convention(project: Path) -> None:
    names = [
        "Agreement in Principle Issued",
        "Shipment Picked Up",
        "Parcel Dropped Off at Depot",
        "Certificate of Title Received",
    ]
    events = "".join(f'    event "{n}"\n' for n in [*names, "in Cart Added", "Picked Up Shipment"])
    write(project, {"j.journey": f'journey j "J"\nstage s {{\n  touchpoint t {{\n{events}  }}\n}}\n'})
    flagged = sorted(d.message for d in cjdsl.check([project]).diagnostics if d.code == "CJ215")
    assert flagged == [
        'event name "Picked Up Shipment" has no past-tense verb after its object',
        'event name "in Cart Added" should be "Object Action" in Title Case',
    ], flagged


def test_word_of_mouth_touchpoints_need_no_owner(project: Path) -> None:
    text = 'journey j "J"\nchannel friends "Friends" word_of_mouth\nchannel web "Web" online web\n'
    text += "stage s {\n  touchpoint told { channel friends }\n  touchpoint page { channel web }\n}\n"
    write(project, {"j.journey": text})
    owners = [d.message for d in cjdsl.check([project]).diagnostics if d.code == "CJ219"]
    assert owners == ["touchpoint `page` has no owner"]


def test_evidence_shows_on_the_card_and_in_the_json(project: Path) -> None:
    write(
        project,
        {
            "j.journey": CLINIC.replace(
                '    channel site\n    event "Appointment Booked"',
                '    channel site\n    evidence "A confirmation SMS with the date"\n    event "Appointment Booked"',
            )
        },
    )
    code, _, err = invoke("build", str(project), "-o", str(project / "site"), "--only", "html,json")
    assert code == 0, err
    assert "Evidence:</span> A confirmation SMS with the date" in (project / "site" / "journeys" / "clinic.html").read_text(
        encoding="utf-8"
    )
    model = json.loads((project / "site" / "json" / "clinic.json").read_text(encoding="utf-8"))
    assert [t["evidence"] for s in model["stages"] for t in s["touchpoints"]] == [None, None, "A confirmation SMS with the date"]

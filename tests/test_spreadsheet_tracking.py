"""`cjdsl import tracking-csv`: tracking plans kept in spreadsheets become `event` blocks.

The CSV files are written here in the shapes Segment (and RudderStack) and Amplitude
export, and in cjdsl's own tracking-plan.csv shape; the events land in the touchpoints
the plan names (by id or by label), the file's comments stay, what cannot be attached
is reported, and a second run changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import cjdsl
from cjdsl.core import model as m
from cjdsl.language.parser import parse
from cjdsl.tracking import emit
from cjdsl.tracking.plan import build_plan

from .conftest import EXAMPLES, invoke, write

JOURNEY = """\
# The shop's journey. This comment stays.
journey hr "HR" {
  owner marketing
}

team marketing "Marketing"

stage awareness "Awareness" phase awareness {
  touchpoint blog_post "Reads an article" {
    owner marketing
    next pricing
  }
}

stage decision "Decision" phase decision {
  # Pricing is where most leave.
  touchpoint pricing "Checks the pricing page" {
    next demo_booking
  }

  touchpoint demo_booking "Books a demo" {
    event "Demo Booked" {
      company_size integer
    }
  }
}
"""

SEGMENT = """\
Event Type,Event Name,Event Description,Property Name,Property Description,Data Type,Required,Permitted Values,Touchpoint
Track,Article Viewed,An article was read.,,,,,,blog_post
Track,Article Viewed,,article_id,CMS id of the article,string,required,,
Track,Article Viewed,,scroll_depth,Deepest scroll in percent,integer,optional,,
Track,Plan Selected,A plan was picked.,plan,The plan,string,required,basic|pro|enterprise,Checks the pricing page
Identify,,,email,The e-mail address,string,required,,
Track,Newsletter Opened,,campaign,,string,,,nowhere
Track,Webinar Joined,,,,,,,
Track,Demo Booked,,company_size,Employees,number,required,,demo_booking
"""

AMPLITUDE = """\
Action,Object Type,Object Name,Event Display Name,Object Description,Event Category,Event Property Name,Property Description,\
Property Value Type,Property Required,Property Is Array,Enum Values,Event Property Regex,Touchpoint
,Event,Trial Started,,A trial was started.,Conversion,,,,,,,,Books a demo
,,,,,,plan_tier,Tier chosen,string,TRUE,FALSE,"starter,growth",,
,,,,,,referrer_path,Where from,string,FALSE,FALSE,,^/[a-z-]+$,
,,,,,,topics,Topics of interest,string,FALSE,TRUE,"hiring,onboarding",,
,,,,,,payload,Raw payload,object,FALSE,FALSE,,,
"""


def _events(path: Path) -> dict[str, dict[str, m.Event]]:
    doc = parse(path.read_text(encoding="utf-8")).document
    assert doc is not None
    return {tp.id: {e.name: e for e in tp.events} for s in doc.items if isinstance(s, m.Stage) for tp in s.touchpoints}


def test_a_segment_plan_is_attached_to_the_touchpoints_it_names(tmp_path: Path) -> None:
    write(tmp_path, {"cjdsl.toml": "", "hr.journey": JOURNEY, "plan.csv": SEGMENT})
    code, out, err = invoke("import", "tracking-csv", str(tmp_path / "plan.csv"), str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "hr.journey").read_text(encoding="utf-8") == JOURNEY  # a diff, not a change
    assert '+    event "Article Viewed" {' in out and out.startswith("--- a/hr.journey")
    code, _, err = invoke("import", "tracking-csv", str(tmp_path / "plan.csv"), str(tmp_path), "--write")
    assert code == 0, err
    events = _events(tmp_path / "hr.journey")
    article = events["blog_post"]["Article Viewed"]
    assert article.description == "An article was read."
    assert [(p.name, str(p.type), p.required, p.description) for p in article.properties] == [
        ("article_id", "string", True, "CMS id of the article"),
        ("scroll_depth", "integer", False, "Deepest scroll in percent"),
    ]
    plan = events["pricing"]["Plan Selected"]  # found by the touchpoint's label
    assert [(p.name, str(p.type), p.required) for p in plan.properties] == [("plan", 'enum("basic", "pro", "enterprise")', True)]
    assert "email" not in str(events)  # an Identify call's traits are no journey event
    # Not attached, and said so.
    assert "plan.csv: plan.csv!I7: warning: event 'Newsletter Opened': no journey has a touchpoint 'nowhere'; not attached" in err
    assert "event 'Webinar Joined' names no touchpoint; not attached" in err
    assert "touchpoint demo_booking already fires 'Demo Booked' with other properties; not changed" in err
    text = (tmp_path / "hr.journey").read_text(encoding="utf-8")
    assert "# The shop's journey. This comment stays." in text and "# Pricing is where most leave." in text
    assert cjdsl.check([str(tmp_path)]).ok
    # Again: nothing left to add.
    code, out, err = invoke("import", "tracking-csv", str(tmp_path / "plan.csv"), str(tmp_path), "--write")
    assert code == 0 and out == "" and (tmp_path / "hr.journey").read_text(encoding="utf-8") == text
    assert "Added 0 event(s) in 0 file(s)." in err


def test_an_amplitude_plan_fills_the_event_down_over_its_property_rows(tmp_path: Path) -> None:
    write(tmp_path, {"cjdsl.toml": "", "hr.journey": JOURNEY, "plan.csv": AMPLITUDE})
    code, _, err = invoke("import", "tracking-csv", str(tmp_path / "plan.csv"), str(tmp_path), "--write")
    assert code == 0, err
    trial = _events(tmp_path / "hr.journey")["demo_booking"]["Trial Started"]
    assert trial.description == "A trial was started."
    assert [(p.name, str(p.type), p.required, p.pattern) for p in trial.properties] == [
        ("plan_tier", 'enum("starter", "growth")', True, None),
        ("referrer_path", "string", False, "^/[a-z-]+$"),
        ("topics", 'list(enum("hiring", "onboarding"))', False, None),
    ]
    assert "property payload of 'Trial Started': type 'object' has no equivalent in the language" in err


def test_cjdsls_own_tracking_plan_csv_puts_back_the_events_it_lists(tmp_path: Path) -> None:
    source = EXAMPLES / "hr_saas.journey"
    (journey,) = cjdsl.check([str(source)]).journeys
    text = source.read_text(encoding="utf-8")
    without = re.sub(r'\n *event "[^"]*" \{\n(?: {6}.*\n)*? *\}', "", text)
    assert re.search(r'^ +event "', without, re.M) is None
    write(tmp_path, {"cjdsl.toml": "", "hr_saas.journey": without, "plan.csv": emit.csv_text(build_plan([journey]))})
    code, _, err = invoke("import", "tracking-csv", str(tmp_path / "plan.csv"), str(tmp_path), "--write")
    assert code == 0, err
    before = parse(text).document
    after = parse((tmp_path / "hr_saas.journey").read_text(encoding="utf-8")).document
    assert before is not None and after is not None and after.items == before.items


def test_a_label_two_touchpoints_share_is_not_guessed(tmp_path: Path) -> None:
    twice = JOURNEY.replace('touchpoint demo_booking "Books a demo"', 'touchpoint demo_booking "Checks the pricing page"')
    plan = "event,property,type,touchpoint\nPlan Selected,plan,string,Checks the pricing page\n"
    write(tmp_path, {"cjdsl.toml": "", "hr.journey": twice, "plan.csv": plan})
    code, _, err = invoke("import", "tracking-csv", str(tmp_path / "plan.csv"), str(tmp_path), "--write")
    assert code == 0 and "several touchpoints are called 'Checks the pricing page' (pricing, demo_booking)" in err
    assert (tmp_path / "hr.journey").read_text(encoding="utf-8") == twice


def test_a_plan_without_an_event_column_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {"cjdsl.toml": "", "hr.journey": JOURNEY, "plan.csv": "Event Type,Property Name\nTrack,x\nTrack,y\n"})
    code, _, err = invoke("import", "tracking-csv", str(tmp_path / "plan.csv"), str(tmp_path))
    assert code == 1 and "the event column holds kinds of calls (Track, Identify), not event names" in err

"""Every stage of zappa_settings.json runs every Lambda function in functions/, as Zappa reads it.

A stage that `extends` another gets the other's settings with its own keys put over them, one
level deep (Zappa's `ZappaCLI.stage_config`): a stage's `events` list replaces the whole list
it extends, so each stage must list every event itself.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from collections import Counter
from typing import Any

import pytest

import functions
from portal.services.rounds import SCHEDULER_PERIOD
from tests.conftest import ROOT

SETTINGS: dict[str, dict[str, Any]] = json.loads(
    (ROOT / "zappa_settings.json").read_text(encoding="utf-8")
)
STAGES = sorted(SETTINGS)
ACCOUNT = "123456789012"  # the placeholder the deployment guide replaces

# When each scheduled function runs, and why that cadence.
SCHEDULES = {
    # RoundService runs each program whose own cron fell due within SCHEDULER_PERIOD.
    "functions.matching_round.handler": f"rate({SCHEDULER_PERIOD.seconds // 3600} hour)",
    # A run sends for at most 4 minutes of its 300 s timeout, then the next one starts.
    "functions.outbox.handler": "rate(5 minutes)",
    # On the hour, every hour: each reader's emails go in their morning, 07:00 to 08:59 where
    # they are (portal.domain.mornings), which two runs fall in, in every time zone (README).
    "functions.reminders.handler": "cron(0 * * * ? *)",
    # Each program's summary is due at an hour of its own time zone.
    "functions.summaries.handler": "rate(1 hour)",
    # The organizer console's figures are an hour old at most (the page says so).
    "functions.console_figures.handler": "rate(1 hour)",
    # Roster imports: an apply's to-dos left by a failed start, and invitation reminders (a
    # week apart: an hour late is nothing).
    "functions.roster.handler": "rate(1 hour)",
    # Retention is counted in whole days: once a day, 03:00 UTC (README).
    "functions.retention.handler": "cron(0 3 * * ? *)",
}


def stage_config(settings: dict[str, dict[str, Any]], stage: str) -> dict[str, Any]:
    """A stage's settings as Zappa's `stage_config` builds them from `extends`."""
    seen: list[str] = []

    def merged(name: str) -> dict[str, Any]:
        assert name not in seen, f"circular extends: {[*seen, name]}"
        seen.append(name)
        own = dict(settings[name])
        parent = own.get("extends")
        if not parent:
            return own
        result = merged(parent)
        result.update(own)  # shallow: the child's key replaces the parent's, lists included
        return result

    return merged(stage)


def handlers() -> dict[str, str]:
    """Each module of functions/ with a `handler`, and how it says it runs (its docstring)."""
    found = {}
    for module in pkgutil.iter_modules(functions.__path__):
        loaded = importlib.import_module(f"functions.{module.name}")
        if callable(getattr(loaded, "handler", None)):
            first_word = (loaded.__doc__ or "").split(":")[0].split()[0]
            found[f"functions.{module.name}.handler"] = first_word
    return found


def test_every_function_says_whether_it_is_scheduled_or_fed_by_sns() -> None:
    found = handlers()
    assert "functions.ses_feedback.handler" in found
    assert set(found.values()) <= {"Scheduled", "SNS"}, found
    assert {path for path, kind in found.items() if kind == "Scheduled"} == set(SCHEDULES)


def test_a_stage_that_extends_another_gets_its_own_events_list_not_both() -> None:
    # How Zappa reads `extends`, which these tests rely on.
    settings: dict[str, dict[str, Any]] = {
        "base": {"events": [{"function": "a"}, {"function": "b"}], "memory_size": 512},
        "child": {"extends": "base", "events": [{"function": "c"}]},
        "grandchild": {"extends": "child", "memory_size": 1024},
    }
    assert stage_config(settings, "grandchild") == {
        "extends": "child",
        "events": [{"function": "c"}],
        "memory_size": 1024,
    }


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_runs_every_function_on_its_schedule(stage: str) -> None:
    events = stage_config(SETTINGS, stage)["events"]
    assert Counter(e["function"] for e in events) == Counter(list(handlers())), (
        "each function in functions/ has exactly one event in each stage"
    )
    scheduled = {e["function"]: e["expression"] for e in events if "expression" in e}
    assert scheduled == SCHEDULES
    on_sns = [e for e in events if "event_source" in e]
    assert [e["function"] for e in on_sns] == [
        path for path, kind in handlers().items() if kind == "SNS"
    ]


@pytest.mark.parametrize("stage", STAGES)
def test_the_feedback_topic_and_every_name_belong_to_the_stage(stage: str) -> None:
    config = stage_config(SETTINGS, stage)
    (feedback,) = [e for e in config["events"] if "event_source" in e]
    assert feedback["event_source"] == {
        "arn": f"arn:aws:sns:{config['aws_region']}:{ACCOUNT}:mentor-portal-{stage}-ses-feedback",
        "events": ["sns:Publish"],
    }
    # The role, the layer, the tables, the configuration set, the topic: the stage's own.
    others = "|".join(re.escape(s) for s in STAGES if s != stage)
    text = json.dumps({k: v for k, v in config.items() if k != "extends"})
    assert not re.findall(rf"portal-(?:{others})\b", text)
    environment = config["environment_variables"]
    (layer,) = config["layers"]
    assert {
        "role": config["role_name"],
        "layer": layer.split(":")[6],  # arn:aws:lambda:<region>:<account>:layer:<name>:<version>
        "tables": environment["PORTAL_TABLE_PREFIX"],
        "configuration set": environment["PORTAL_SES_CONFIGURATION_SET"],
        "topic": feedback["event_source"]["arn"].rsplit(":", 1)[1],
    } == {
        "role": f"mentor-portal-{stage}-lambda",
        "layer": f"mentor-portal-{stage}-solvers",
        "tables": f"portal-{stage}",
        "configuration set": f"mentor-portal-{stage}",
        "topic": f"mentor-portal-{stage}-ses-feedback",
    }

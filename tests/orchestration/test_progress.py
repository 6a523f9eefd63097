"""The progress bar of `delivery run` follows a run from its step events, reading each event once."""

from __future__ import annotations

import dagster as dg

from orchestration.cli.progress import StepProgress


@dg.op
def extract() -> int:
    return 1


@dg.op
def transform(value: int) -> int:
    return value + 1


@dg.job
def two_steps():
    transform(extract())


def test_the_steps_are_counted_once_each_and_a_later_read_brings_only_new_events() -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        run_id = two_steps.execute_in_process(instance=instance).run_id
        steps = StepProgress()
        steps.read(instance, run_id)
        # two steps, each started then succeeded: both finished, none running
        assert steps.finished == {"extract", "transform"} and steps.running == []
        cursor = steps.cursor
        steps.read(instance, run_id)  # nothing new since: the same state, read from the same place
        assert steps.cursor == cursor and steps.finished == {"extract", "transform"} and steps.running == []

        # a second run of the same job in the same instance: read from the start, its own steps only
        again = StepProgress()
        again.read(instance, two_steps.execute_in_process(instance=instance).run_id)
        assert again.finished == {"extract", "transform"}

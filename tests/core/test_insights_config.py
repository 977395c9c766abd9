"""Insight settings: defaults, the deployment's overrides, then one workspace's own."""

from __future__ import annotations

import pytest

from rapport.core.config import Settings
from rapport.core.insights.config import GradeThreshold, insights_config
from rapport.core.insights.segments import segment_of


def test_a_workspace_overrides_the_deployment_which_overrides_the_defaults() -> None:
    settings = Settings(
        extra={
            "insights": {
                "window_days": 180,
                "grades": [["B", 9, 0], ["A", 12, 1000]],
                "workspaces": {"wholesale": {"window_days": 730, "margin": 0.3}},
            }
        }
    )
    shared = insights_config(settings, "retail")
    assert (shared.window_days, shared.margin) == (180, 1.0)
    # Best grade first, whatever the order they were written in.
    assert shared.grades == (GradeThreshold("A", 12, 1000.0), GradeThreshold("B", 9, 0.0))
    own = insights_config(settings, "wholesale")
    assert (own.window_days, own.margin, own.grades) == (730, 0.3, shared.grades)
    assert insights_config(Settings()).window_days == 365


def test_unknown_settings_are_refused_with_where_they_are() -> None:
    with pytest.raises(ValueError, match=r"\[insights.workspaces.w\] settings: windw"):
        insights_config(Settings(extra={"insights": {"workspaces": {"w": {"windw": 1}}}}), "w")


def test_every_cell_of_the_grid_has_one_segment() -> None:
    cells = {(r, f): segment_of(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert cells[(5, 5)] == "champions"
    assert cells[(1, 1)] == "lost"
    assert cells[(1, 4)] == "at_risk"
    assert cells[(2, 5)] == "cannot_lose"
    assert len(set(cells.values())) == 11

"""Customer insights: RFM, value grade, lifetime value, churn risk, from what customers did.

Everything is read through the registered value sources, churn signals and potential value
sources (``register_value_sources`` and friends), so a plugin's revenue counts as soon as it
registers it. :func:`recompute_insights` stores the results in ``customer_insights``.
"""

from rapport.core.insights.recompute import computed_within, recompute_insights
from rapport.core.insights.settings import InsightSettings, workspace_insight_settings

__all__ = ["InsightSettings", "computed_within", "recompute_insights", "workspace_insight_settings"]

"""The banking services: every banking write goes through one of these modules."""

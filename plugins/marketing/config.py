"""The ``[marketing]`` section of rapport.toml: the SMTP server and the public address.

[marketing]
smtp_host = "mail.example.com"
smtp_port = 587
smtp_username = "crm"
smtp_password = "..."
smtp_starttls = true
public_url = "https://crm.example.com"   # where /unsubscribe and /forms are served
send_batch = 200                           # emails per campaign per worker run
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapport.core import Settings

__all__ = ["MarketingConfig", "marketing_config"]


@dataclass(frozen=True)
class MarketingConfig:
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 30.0
    public_url: str = "http://localhost:8000"
    send_batch: int = 200


def marketing_config(settings: Settings) -> MarketingConfig:
    section: Any = settings.extra.get("marketing", {})
    if not isinstance(section, dict):
        return MarketingConfig()
    known = MarketingConfig.__dataclass_fields__
    return MarketingConfig(**{k: v for k, v in section.items() if k in known})

"""Suite-wide settings: quiet structured logs (warnings and errors still show on failure)."""

from iamd.service.log_config import configure_logging

configure_logging("warning")

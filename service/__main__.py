"""`iamd` / `python -m service`: parse settings, configure logging, serve."""

from __future__ import annotations

import asyncio
import sys

from service.config import parse_settings
from service.log_config import configure_logging


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "rotate-digest-key":  # offline: a new audit digest key, endorsed in the chain
        from service.audit.digester import rotate_digest_key_command

        return rotate_digest_key_command(list(argv[1:]))
    settings = parse_settings(argv)
    configure_logging(settings.log_level)
    from service.server import serve  # after logging is configured

    try:
        asyncio.run(serve(settings))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

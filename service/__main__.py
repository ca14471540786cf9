"""`iamd` / `python -m iamd.service`: parse settings, configure logging, serve.

`iamd backup|rotate-kek|kek-fingerprint ...` are offline administration commands (service/admin.py).
A start refused because of the keys (a key-encryption key that is not the log's) prints why on
stderr and exits with status 78 (EX_CONFIG).
"""

from __future__ import annotations

import asyncio
import os
import sys

# iamd forks a child to write each projection snapshot (projections/runner.py, save_in_child); the
# child never calls gRPC, so gRPC's own fork handlers have nothing to do (and would log each fork).
# Read when grpc is first imported, which is below.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

from iamd.service.config import parse_settings  # noqa: E402
from iamd.service.log_config import configure_logging  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "rotate-digest-key":  # offline: a new audit digest key, endorsed in the chain
        from iamd.service.audit.digester import rotate_digest_key_command

        return rotate_digest_key_command(list(argv[1:]))
    if argv and argv[0] == "archive-audit":  # offline: audit retention now (service/audit/retention.py)
        from iamd.service.audit.retention import archive_audit_command

        return archive_audit_command(list(argv[1:]))
    from iamd.service import admin

    if argv and argv[0] in admin.COMMANDS:
        configure_logging(os.environ.get("IAMD_LOG_LEVEL", "warning"))
        return admin.run(argv)
    settings = parse_settings(argv)
    configure_logging(settings.log_level)
    import structlog

    from iamd.service.auth.keyring import KeyringError
    from iamd.service.config import StartRefusedError
    from iamd.service.server import serve  # after logging is configured

    try:
        with admin.data_dir_lock(settings.data_dir, exclusive=False):
            asyncio.run(serve(settings))
    except KeyboardInterrupt:
        pass
    except (KeyringError, admin.AdminError, StartRefusedError) as e:
        structlog.get_logger("service").error("iamd_refused_to_start", reason=str(e))
        message = str(e) if str(e).startswith("iamd ") else f"iamd refuses to start: {e}"
        print(message, file=sys.stderr, flush=True)
        return admin.EXIT_REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Suite-wide settings: quiet structured logs (warnings and errors still show on failure), and
gRPC's fork support off as `python -m iamd.service` sets it (service/__main__.py): the snapshot
tests fork this process, and with the handlers on, a child forked while the suite's in-process
servers were inside gRPC could abort in them (SIGABRT) before doing its work."""

import os

os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")  # read when grpc is first imported, below

from iamd.service.log_config import configure_logging  # noqa: E402

configure_logging("warning")

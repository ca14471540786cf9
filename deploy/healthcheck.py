#!/usr/bin/env python3
"""Container health check for iamd: ask the standard grpc.health.v1 service whether iamd serves.

Exit status 0 when the overall service ("") is SERVING, 1 otherwise, so it fits a Docker
HEALTHCHECK or a Kubernetes exec probe. It reads the same IAMD_* variables as iamd itself:

- IAMD_LISTEN: the port to dial (a wildcard host 0.0.0.0 / :: is dialled on 127.0.0.1);
- IAMD_TLS_CERT: when set, iamd speaks TLS, and so does this check;
- IAMD_HEALTHCHECK_CA: the CA certificate that signed iamd's certificate (default: iamd's own
  certificate, trusted as it is);
- IAMD_HEALTHCHECK_SERVER_NAME: the name to verify the certificate against (default: localhost,
  so the certificate needs that name among its subject alternative names);
- IAMD_HEALTHCHECK_TIMEOUT: seconds to wait for the answer (default 3).

Configure iamd through the environment in containers: flags given on the command line are
invisible to this check.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

_WILDCARDS = ("", "0.0.0.0", "::")


def target(listen: str) -> str:
    """The address to dial for iamd's --listen value."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    if host in _WILDCARDS:
        host = "127.0.0.1"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def open_channel(address: str, env: Mapping[str, str]) -> grpc.Channel:
    server_cert = env.get("IAMD_TLS_CERT", "")
    if not server_cert:
        return grpc.insecure_channel(address)
    with open(env.get("IAMD_HEALTHCHECK_CA") or server_cert, "rb") as f:
        roots = f.read()
    name = env.get("IAMD_HEALTHCHECK_SERVER_NAME", "localhost")
    return grpc.secure_channel(
        address,
        grpc.ssl_channel_credentials(root_certificates=roots),
        options=[("grpc.ssl_target_name_override", name)],
    )


def main() -> int:
    env = os.environ
    address = target(env.get("IAMD_LISTEN", "127.0.0.1:50051"))
    timeout = float(env.get("IAMD_HEALTHCHECK_TIMEOUT", "3"))
    try:
        with open_channel(address, env) as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout
            )
    except grpc.RpcError as e:
        print(f"iamd at {address} is unhealthy: {e.code().name}: {e.details()}", file=sys.stderr)
        return 1
    except OSError as e:  # unreadable CA file
        print(f"iamd health check cannot run: {e}", file=sys.stderr)
        return 1
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        print(f"iamd at {address} reports {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""iamd's settings, from command-line flags with IAMD_* environment variables as defaults."""

from __future__ import annotations

import argparse
import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    listen: str = "127.0.0.1:50051"
    data_dir: Path = Path("data")
    store_uri: str = ""  # default: sqlite:///<data_dir>/events.db
    log_level: str = "info"
    account_id: str = ""  # used only when the log is empty; default: random 12 digits
    tls_cert: str = ""
    tls_key: str = ""
    tls_client_ca: str = ""  # PEM CA bundle: when set, clients must present a certificate it signed (mTLS)
    insecure: bool = False  # allow plaintext on a non-loopback address
    shutdown_grace: float = 10.0
    kek_file: str = ""  # key-encryption key for secrets at rest; default <data_dir>/keys/kek
    credentials_file: str = ""  # where the first start writes the root key; default <data_dir>/root-credentials
    snapshot_every_events: int = 50_000
    audit_durable: bool = True  # answer a call only once its audit record is committed
    digest_interval: float = 3600.0  # seconds between signed audit digests (CloudTrail: hourly)
    digest_key_file: str = ""  # Ed25519 key signing digests; default <data_dir>/keys/audit-digest.pem
    # Audit retention (service/audit/retention.py): whole hours of audit records older than this
    # many hours are archived with their digests and removed from the live log, hourly; 0 = off.
    audit_retention_hours: int = 0
    audit_archive_dir: str = ""  # where archives are written; default <data_dir>/audit-archive
    max_in_flight: int = 1024  # calls being served at once; past it a call is refused with Throttling
    # Seconds the identity projection may go without following its log (a dropped subscription
    # being replaced) before calls are refused with ServiceUnavailable rather than decided on
    # state that may be stale.
    max_staleness: float = 5.0
    http_listen: str = ""  # HOST:PORT of the AWS-compatible HTTP endpoint (Query protocol); "" = off
    # Where external services reach the HTTP endpoint (e.g. https://iamd.example.com): the base of
    # outbound identity federation's issuer URLs; "" = the endpoint's own scheme://HOST:PORT.
    public_url: str = ""
    metrics_listen: str = ""  # HOST:PORT serving Prometheus metrics on /metrics; "" = off
    access_log: bool = True  # one info line per answered call (logger "iamd.access")
    # OpenTelemetry tracing (service/tracing.py; the `tracing` extra): spans sent over OTLP/gRPC to
    # this endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT has it (http://host:4317 plaintext, https:// TLS);
    # "" = off, and then nothing of OpenTelemetry is imported.
    otel_endpoint: str = ""
    otel_service_name: str = "iamd"
    otel_sample_ratio: float = 1.0  # of the traces iamd starts; a caller's traceparent decides for its own
    # Development only, for running peers' test suites (moto's server mode) against iamd:
    dev_root_key: str = ""  # "KEYID:SECRET": the root access key a first start creates, instead of a random one
    dev_reset: bool = False  # POST /moto-api/reset on the HTTP endpoint wipes the state and starts afresh

    @property
    def digest_key_path(self) -> Path:
        return Path(self.digest_key_file) if self.digest_key_file else self.data_dir / "keys" / "audit-digest.pem"

    @property
    def audit_archive_path(self) -> Path:
        return Path(self.audit_archive_dir) if self.audit_archive_dir else self.data_dir / "audit-archive"

    @property
    def kek_path(self) -> Path:
        return Path(self.kek_file) if self.kek_file else self.data_dir / "keys" / "kek"

    @property
    def credentials_path(self) -> Path:
        return Path(self.credentials_file) if self.credentials_file else self.data_dir / "root-credentials"

    @property
    def event_store_uri(self) -> str:
        return self.store_uri or f"sqlite:///{(self.data_dir / 'events.db').resolve()}"

    def check(self) -> None:
        self._check_address("--listen", self.listen)
        if self.http_listen:
            self._check_address("--http-listen", self.http_listen)
        if self.public_url and (not self.public_url.startswith(("http://", "https://")) or "?" in self.public_url
                                or "#" in self.public_url):
            raise ValueError(f"--public-url `{self.public_url}` must be an http:// or https:// URL without a query "
                             "or fragment (where external services reach iamd's HTTP endpoint)")
        if self.metrics_listen:
            self._check_address("--metrics-listen", self.metrics_listen)
        if self.otel_endpoint and not self.otel_endpoint.startswith(("http://", "https://")):
            raise ValueError(f"--otel-endpoint `{self.otel_endpoint}` must be a URL: http://HOST:PORT "
                             "(plaintext) or https://HOST:PORT (TLS), e.g. http://localhost:4317")
        if not 0.0 <= self.otel_sample_ratio <= 1.0:
            raise ValueError("--otel-sample-ratio must be between 0 and 1")
        if self.audit_retention_hours < 0:
            raise ValueError("--audit-retention-hours must be 0 (off) or a number of hours >= 1")
        if self.dev_root_key and ":" not in self.dev_root_key:
            raise ValueError("--dev-root-key must be KEYID:SECRET")
        if self.dev_reset and not self.http_listen:
            raise ValueError("--dev-reset needs --http-listen (the reset is an HTTP call)")
        if self.dev_reset and self.store_uri:
            raise ValueError("--dev-reset wipes the embedded log of --data-dir only: give no --store")
        if self.dev_reset and self.credentials_file and \
                not Path(self.credentials_file).resolve().is_relative_to(self.data_dir.resolve()):
            raise ValueError("--dev-reset deletes what is inside --data-dir only: keep --credentials-file in it")
        for flag, on in (("--dev-root-key", self.dev_root_key), ("--dev-reset", self.dev_reset)):
            for name, address in (("--listen", self.listen), ("--http-listen", self.http_listen)):
                if on and address and not _is_loopback(address.rsplit(":", 1)[0].strip("[]")):
                    raise ValueError(f"{flag} is for development on loopback only; {name} is `{address}`")

    def _check_address(self, flag: str, listen: str) -> None:
        host = listen.rsplit(":", 1)[0].strip("[]")
        if not listen.rpartition(":")[2].isdigit():
            raise ValueError(f"{flag} `{listen}` must be HOST:PORT")
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ValueError("--tls-cert and --tls-key go together")
        if self.tls_client_ca and not self.tls_cert:
            raise ValueError("--tls-client-ca (mutual TLS) needs --tls-cert and --tls-key")
        if not self.tls_cert and not self.insecure and not _is_loopback(host):
            raise ValueError(
                f"refusing to listen on `{listen}` without TLS: give --tls-cert/--tls-key, "
                "or --insecure to accept plaintext off loopback"
            )


class StartRefusedError(Exception):
    """The data directory forbids what these settings ask (a development key off loopback), or its
    log holds what iamd must not serve (another application's events in iamd's streams)."""


def serves_only_loopback(settings: Settings) -> bool:
    return all(_is_loopback(address.rsplit(":", 1)[0].strip("[]"))
               for address in (settings.listen, settings.http_listen) if address)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_settings(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    parser = argparse.ArgumentParser(
        prog="iamd", description="Event-sourced IAM with AWS IAM semantics",
        epilog="offline commands (docs/operations.md): iamd backup --to DIR, iamd rotate-kek --new-kek-file FILE, "
               "iamd kek-fingerprint [FILE], iamd archive-audit --older-than-hours N; each with --help")
    parser.add_argument("--listen", default=env.get("IAMD_LISTEN", Settings.listen), help="HOST:PORT (IAMD_LISTEN)")
    parser.add_argument("--data-dir", default=env.get("IAMD_DATA_DIR", str(Settings.data_dir)),
                        help="local state: SQLite log, snapshots (IAMD_DATA_DIR)")
    parser.add_argument("--store", default=env.get("IAMD_STORE", ""),
                        help="event store URI: sqlite:///path, kurrentdb://..., esdb://... (IAMD_STORE)")
    parser.add_argument("--log-level", default=env.get("IAMD_LOG_LEVEL", "info"), help="IAMD_LOG_LEVEL")
    parser.add_argument("--account-id", default=env.get("IAMD_ACCOUNT_ID", ""),
                        help="account id to create on first start (IAMD_ACCOUNT_ID)")
    parser.add_argument("--tls-cert", default=env.get("IAMD_TLS_CERT", ""))
    parser.add_argument("--tls-key", default=env.get("IAMD_TLS_KEY", ""))
    parser.add_argument("--tls-client-ca", default=env.get("IAMD_TLS_CLIENT_CA", ""),
                        help="require client certificates signed by this CA: mutual TLS (IAMD_TLS_CLIENT_CA)")
    parser.add_argument("--insecure", action="store_true",
                        default=env.get("IAMD_INSECURE", "").lower() in ("1", "true", "yes"))
    parser.add_argument("--kek-file", default=env.get("IAMD_KEK_FILE", ""),
                        help="key-encryption key (32 bytes, mode 0600); replicas must share it (IAMD_KEK_FILE)")
    parser.add_argument("--credentials-file", default=env.get("IAMD_CREDENTIALS_FILE", ""),
                        help="where the first start writes the root access key (IAMD_CREDENTIALS_FILE)")
    parser.add_argument("--audit-durability", choices=["sync", "async"],
                        default=env.get("IAMD_AUDIT_DURABILITY", "sync"),
                        help="sync: answer only once the call's audit record is committed (default); "
                             "async: queue it and answer at once (IAMD_AUDIT_DURABILITY)")
    parser.add_argument("--digest-interval", type=float, default=float(env.get("IAMD_DIGEST_INTERVAL", "3600")),
                        help="seconds between signed audit digests (IAMD_DIGEST_INTERVAL)")
    parser.add_argument("--digest-key-file", default=env.get("IAMD_DIGEST_KEY_FILE", ""),
                        help="Ed25519 key that signs digests, kept outside the log (IAMD_DIGEST_KEY_FILE)")
    parser.add_argument("--audit-retention-hours", type=int,
                        default=int(env.get("IAMD_AUDIT_RETENTION_HOURS", "0")),
                        help="archive whole hours of audit records older than this, with their digests, into "
                             "--audit-archive-dir, then remove them from the live log (hourly); 0 = off, the "
                             "default; identity events are never removed (IAMD_AUDIT_RETENTION_HOURS)")
    parser.add_argument("--audit-archive-dir", default=env.get("IAMD_AUDIT_ARCHIVE_DIR", ""),
                        help="where audit archives are written; default <data-dir>/audit-archive "
                             "(IAMD_AUDIT_ARCHIVE_DIR)")
    parser.add_argument("--shutdown-grace", type=float, default=float(env.get("IAMD_SHUTDOWN_GRACE", "10")))
    parser.add_argument("--max-in-flight", type=int, default=int(env.get("IAMD_MAX_IN_FLIGHT", "1024")),
                        help="calls served at once; more are refused with Throttling (IAMD_MAX_IN_FLIGHT)")
    parser.add_argument("--max-staleness", type=float, default=float(env.get("IAMD_MAX_STALENESS", "5")),
                        help="seconds the projection may stop following the log (a dropped subscription) "
                             "before calls are refused with ServiceUnavailable (IAMD_MAX_STALENESS)")
    parser.add_argument("--http-listen", default=env.get("IAMD_HTTP_LISTEN", ""),
                        help="HOST:PORT of the AWS-compatible HTTP endpoint for the aws CLI and SDKs "
                             "(--endpoint-url); off unless given; TLS rules as for --listen (IAMD_HTTP_LISTEN)")
    parser.add_argument("--public-url", default=env.get("IAMD_PUBLIC_URL", ""),
                        help="where external services reach the HTTP endpoint, e.g. https://iamd.example.com: the "
                             "base of outbound identity federation's issuer URLs (GetWebIdentityToken); default "
                             "the endpoint's own scheme://HOST:PORT (IAMD_PUBLIC_URL)")
    parser.add_argument("--metrics-listen", default=env.get("IAMD_METRICS_LISTEN", ""),
                        help="HOST:PORT serving Prometheus metrics on /metrics; off unless given; TLS rules "
                             "as for --listen (IAMD_METRICS_LISTEN)")
    parser.add_argument("--access-log", action=argparse.BooleanOptionalAction,
                        default=env.get("IAMD_ACCESS_LOG", "1").lower() not in ("0", "false", "no", "off"),
                        help="one log line per call at info level: RPC, caller, status, duration, request id, "
                             "source IP (IAMD_ACCESS_LOG=0 turns it off)")
    tracing = parser.add_argument_group(
        "tracing (OpenTelemetry; needs `pip install iamd[tracing]`; docs/operations.md, \"Tracing\")")
    tracing.add_argument("--otel-endpoint", default=env.get("IAMD_OTEL_ENDPOINT", ""), metavar="URL",
                         help="send a span per call over OTLP/gRPC to this collector, e.g. http://localhost:4317 "
                              "(https:// for TLS; the exporter's other settings are the standard "
                              "OTEL_EXPORTER_OTLP_* variables); off unless given (IAMD_OTEL_ENDPOINT)")
    tracing.add_argument("--otel-service-name",
                         default=env.get("IAMD_OTEL_SERVICE_NAME", env.get("OTEL_SERVICE_NAME", "iamd")),
                         help="service.name of the spans (IAMD_OTEL_SERVICE_NAME, else OTEL_SERVICE_NAME; iamd)")
    tracing.add_argument("--otel-sample-ratio", type=float,
                         default=float(env.get("IAMD_OTEL_SAMPLE_RATIO", "1")),
                         help="share of the traces iamd starts that are kept, 0 to 1; a call with a "
                              "traceparent follows its caller's decision (IAMD_OTEL_SAMPLE_RATIO; 1)")
    development = parser.add_argument_group(
        "development only (refused off loopback, loud in the log): running peers' test suites against iamd")
    development.add_argument("--dev-root-key", default=env.get("IAMD_DEV_ROOT_KEY", ""), metavar="KEYID:SECRET",
                             help="the root access key a first start creates, e.g. moto's FOOBARKEY:FOOBARSECRET")
    development.add_argument("--dev-reset", action="store_true",
                             default=env.get("IAMD_DEV_RESET", "").lower() in ("1", "true", "yes"),
                             help="serve POST /moto-api/reset: wipe the log and start a fresh state")
    args = parser.parse_args(argv)
    settings = Settings(listen=args.listen, data_dir=Path(args.data_dir), store_uri=args.store,
                        log_level=args.log_level, account_id=args.account_id, tls_cert=args.tls_cert,
                        tls_key=args.tls_key, tls_client_ca=args.tls_client_ca, insecure=args.insecure, shutdown_grace=args.shutdown_grace,
                        kek_file=args.kek_file, credentials_file=args.credentials_file,
                        audit_durable=args.audit_durability == "sync", digest_interval=args.digest_interval,
                        digest_key_file=args.digest_key_file, max_in_flight=args.max_in_flight,
                        audit_retention_hours=args.audit_retention_hours, audit_archive_dir=args.audit_archive_dir,
                        max_staleness=args.max_staleness, http_listen=args.http_listen, public_url=args.public_url,
                        metrics_listen=args.metrics_listen, access_log=args.access_log,
                        otel_endpoint=args.otel_endpoint, otel_service_name=args.otel_service_name,
                        otel_sample_ratio=args.otel_sample_ratio,
                        dev_root_key=args.dev_root_key, dev_reset=args.dev_reset)
    try:
        settings.check()
    except ValueError as e:
        parser.error(str(e))
    return settings

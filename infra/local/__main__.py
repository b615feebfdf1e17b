"""``python -m infra.local``: run the whole pipeline locally until Ctrl-C."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from infra.local import memory_probe
from infra.local.config import LocalConfig
from infra.local.stack import LocalStack


def main() -> int:
    """Start the stack, print where to look, and stop cleanly on SIGINT or SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S",
                        stream=sys.stdout, force=True)
    # Quiet the libraries: a request log line could carry a query string (PHI).
    for noisy in ("werkzeug", "botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    log = logging.getLogger("infra.local")
    config = LocalConfig.from_environ()
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    probe = memory_probe.from_environ()  # LOCAL_MEMORY_PROBE_DIR: where the memory goes (docs/benchmarks.md)
    if probe is not None:
        probe.start()

    stack = LocalStack(config)
    try:
        stack.start()
    except OSError as exc:
        log.error("Could not start the local stack: %s (is something already using port %d or %d? "
                  "Set LOCAL_API_PORT / LOCAL_AWS_PORT.)", exc.strerror or exc, config.api_port, config.aws_port)
        stack.stop()
        return 1
    urls = stack.urls
    log.info("Local inquiry pipeline is running (region %s). Ctrl-C stops it.", config.region)
    log.info("  Form:    %s", urls["form"])
    log.info("  Console: %s", urls["console"])
    if stack.sign_in is not None:
        for user in stack.sign_in.users:
            log.info("    sign in as %s (%s) with password %s", user.username, ", ".join(user.groups), user.password)
    log.info("  Outbox:  %s  (JSON: %s)", urls["outbox"], urls["outbox_json"])
    log.info("  Health:  %s", urls["health"])
    log.info("  AWS emulator (moto): %s", urls["aws"])
    if stack.integration is not None:  # docs/integrations.md
        access = stack.integration.access
        log.info("  Integration API: %s/care/inquiries/{id}  (token: POST %s)", access.api_url, access.token_url)
        if config.local_webhook:
            log.info("    client id %s, client secret %s, scopes %s", access.client_id, access.client_secret,
                     " ".join(access.scopes))
            log.info("  Example CRM receiver (destination crm-local): %s, secret %s", access.receiver_url,
                     access.webhook_secret)
    stop.wait()
    log.info("Stopping...")
    stack.stop()
    log.info("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

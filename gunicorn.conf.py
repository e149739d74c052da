"""gunicorn settings: one worker process (it owns the warehouse file read-write) with threads. Settings that cannot
be served safely stop the start with one line saying why."""

import sys

from webapp.settings import check, load_web_settings

try:
    _settings = load_web_settings()
    check(_settings)
except ValueError as _exc:
    sys.exit(f"error: {_exc}")

bind = _settings.bind
workers = 1
threads = _settings.threads
worker_class = "gthread"
accesslog = "-"
errorlog = "-"
timeout = 120
# Idle keep-alive connections stay open longer than a load balancer's idle timeout (60 s for most), so the server
# never closes one just as a request is sent on it (the client would see the connection reset).
keepalive = 75
graceful_timeout = 30  # on SIGTERM: in-flight requests finish, a running ETL is interrupted (worker_exit)

APP_LOGGERS = ("store", "pipeline", "analytics", "webapp", "app")


def post_fork(server, worker):
    """In the worker, before the app loads: its own logs (runs, scheduler, access) go to stdout at INFO."""
    import logging
    import sys

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
                                           "%Y-%m-%d %H:%M:%S %z"))
    for name in APP_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False


def post_worker_init(worker):
    """The worker owns the warehouse: it runs the scheduler (the lock file keeps it to one per data folder)."""
    from app import server
    from webapp import background

    background.start(server)


def worker_exit(server, worker):
    from webapp import background

    background.stop()

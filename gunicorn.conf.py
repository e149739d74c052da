"""gunicorn settings: one worker process (it owns the warehouse file read-write) with threads."""

from pipeline.settings import load_settings

_settings = load_settings()

bind = _settings.bind
workers = 1
threads = _settings.threads
worker_class = "gthread"
accesslog = "-"
errorlog = "-"
timeout = 120

# Product analytics: one image, one gunicorn worker process (the warehouse's only writer) with threads.
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PA_DATA_DIR=/data \
    PA_BIND=0.0.0.0:8050 \
    PA_THREADS=8 \
    PA_DEMO_USERS=10000 \
    PA_DEMO_DAYS=120

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so this layer is cached until they change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-cache-dir --no-deps . \
    && useradd --create-home --uid 10001 app \
    && mkdir -p /data \
    && chown 10001:10001 /data

USER 10001
VOLUME ["/data"]
EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['PA_BIND'].rsplit(':', 1)[1] + '/healthz', timeout=4)"]
STOPSIGNAL SIGTERM

# An empty data folder gets the demo warehouse first (progress in the log); one with data is served at once.
CMD ["sh", "-c", "python -m pipeline demo --users \"$PA_DEMO_USERS\" --days \"$PA_DEMO_DAYS\" && exec gunicorn --config gunicorn.conf.py app:server"]

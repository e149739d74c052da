# Product analytics: one image, one gunicorn worker process (the warehouse's only writer) with threads.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PA_DATA_DIR=/data \
    PA_BIND=0.0.0.0:8050

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so this layer is cached until they change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 app \
    && mkdir -p /data \
    && chown app:app /data

USER app
VOLUME ["/data"]
EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8050/', timeout=4)"]

# Build the demo warehouse on first start with an empty data folder, then serve.
CMD ["sh", "-c", "python -m pipeline demo --users \"${PA_DEMO_USERS:-5000}\" --days \"${PA_DEMO_DAYS:-30}\" && exec gunicorn --config gunicorn.conf.py app:server"]

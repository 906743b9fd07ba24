# The Linli image used by compose.yaml (web, worker, beat and migrate run the same image).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt && pip check
COPY . .
# static files are part of the image (served by WhiteNoise); the settings need placeholders to load
RUN LINLI_MODE=production LINLI_SECRET_KEY=build-only-placeholder-key-not-used-at-runtime-0123456789 \
    LINLI_ALLOWED_HOSTS=build LINLI_DATABASE_URL=postgres://build@127.0.0.1/build \
    LINLI_REDIS_URL=redis://127.0.0.1:6379/0 LINLI_SMS_BACKEND=none LINLI_STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --noinput \
    && useradd --system --home-dir /app linli \
    && mkdir -p /data/media /data/var /data/beat && chown -R linli:linli /data
ENV LINLI_STATIC_ROOT=/app/staticfiles
USER linli
EXPOSE 8000

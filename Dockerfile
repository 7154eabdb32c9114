FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=equalex.settings.production
# WeasyPrint renders PDFs with Pango; curl serves the health check.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput -v0
RUN useradd --create-home equalex && mkdir -p /app/var && chown equalex /app/var
USER equalex
EXPOSE 8000
CMD ["gunicorn", "equalex.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--no-control-socket"]

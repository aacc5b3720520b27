# Production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# cairosvg (the weekly e-mail's chart as PNG) needs the cairo library. SAML (python3-saml) needs
# no Debian package: PyPI's xmlsec wheel carries libxmlsec1 and the libxml2 lxml's wheel has.
RUN apt-get update && apt-get install -y --no-install-recommends libcairo2 \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
COPY config ./config
COPY programme ./programme
COPY kickoff ./kickoff
COPY showcase ./showcase
COPY metrics ./metrics
COPY goals ./goals
COPY identity ./identity
COPY templates ./templates
COPY static ./static
COPY manage.py ./
COPY locale ./locale
RUN pip install . \
    && python -m config.catalogues \
    && DJANGO_SECRET_KEY=build DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
       python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 snowball && mkdir -p /app/media && chown snowball /app/media

USER snowball
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]

# mailbot daemon image. Build: docker build -t mailbot .   Run: see README ("Running it for real").
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --create-home --uid 1000 mailbot
WORKDIR /app

COPY pyproject.toml README.md alembic.ini ./
COPY mailbot ./mailbot
COPY migrations ./migrations
COPY config ./config
RUN pip install -e . && mkdir -p /app/var && chown mailbot:mailbot /app/var

USER mailbot
VOLUME ["/app/var"]
# Settings come from MAILBOT_* variables (passwords only there) or /app/config/mailbot.toml.
# The staff pages: `mailbot run --web` with MAILBOT_WEB__HOST=0.0.0.0 (or a second container running
# `mailbot serve --host 0.0.0.0`) and -p 8080:8080.
EXPOSE 8080
CMD ["mailbot", "run"]

# The companion API (and CLI) in one image. CPU-only torch first, so pip does not pull CUDA.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    COMPANION_DATA_DIR=/data

WORKDIR /app
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY companion ./companion
COPY ingest ./ingest
COPY prompts ./prompts
RUN pip install --no-cache-dir .

VOLUME ["/data"]
EXPOSE 8000
# Several workers share the SQLite catalog on /data (WAL, busy timeout) and the Chroma server.
CMD ["companion", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]

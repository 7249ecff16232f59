# The HTTP API and the reading room in a container:
#   docker build -t tat-engine . && docker run --rm -p 8000:8000 tat-engine
# then http://127.0.0.1:8000/ (the reading room) and /docs (the API, offline).
FROM python:3.11-slim

# Byte code is written at install (pip compiles the package): every start of `tat` then reads it, not the sources.
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# The package links to the grammar and the corpora at the top of the repository (engine/tat_engine/data/).
COPY pyproject.toml setup.py README.md ./
COPY engine ./engine
COPY grammar ./grammar
COPY tat ./tat
COPY amendments ./amendments
COPY programmes ./programmes
# The paper extra serves /v1/text as PDF and DOCX (without it those formats answer 501).
RUN pip install '.[paper]' && rm -rf /src

RUN useradd --create-home --uid 10001 tat
USER tat
WORKDIR /home/tat
# The install built the shipped instruments' indexes into the package (tat_engine/prebuilt.py): a first
# request reads them, and the user's cache holds only what a user's own corpus or dates need.

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/v1/health', timeout=4).status != 200)"]
CMD ["tat", "serve", "--host", "0.0.0.0"]

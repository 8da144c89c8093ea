# The metacall/frontend gateway image: buildkitd runs its ENTRYPOINT and
# talks gRPC to it over stdio. Build: docker build -t metacall/frontend .
# Behind a TLS-inspecting proxy, add: --secret id=ca-certificates,src=<CA bundle>
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS python
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /usr/share/doc /usr/share/man

FROM python AS site
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-pip ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md /src/
COPY frontend /src/frontend
RUN --mount=type=secret,id=ca-certificates,target=/run/secrets/ca-certificates \
    if [ -s /run/secrets/ca-certificates ]; then export PIP_CERT=/run/secrets/ca-certificates; fi; \
    pip install --no-cache-dir --break-system-packages --target /opt/frontend /src \
 && rm -rf /opt/frontend/bin /opt/frontend/*.dist-info/RECORD \
 && python3 -m compileall -q -j 0 /opt/frontend

FROM python
COPY --from=site /opt/frontend /opt/frontend
ENV PYTHONPATH=/opt/frontend PYTHONDONTWRITEBYTECODE=1
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts" \
      org.opencontainers.image.title="metacall/frontend" \
      org.opencontainers.image.description="BuildKit frontend composing compact MetaCall images"
ENTRYPOINT ["python3", "-m", "frontend"]

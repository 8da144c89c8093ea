# examples/polyglot-app the way it is built on a prebuilt MetaCall image:
# FROM a MetaCall CLI image (METACALL_CLI, pulled), pip and npm from apt,
# the same pip and npm installs as the frontend's, the app on top. The
# reference bench/prebuilt.py builds beside the frontend with published layers.
ARG METACALL_CLI
FROM ${METACALL_CLI}
RUN --mount=type=cache,id=metacall-apt-archives,target=/var/cache/apt/archives,sharing=locked \
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3-pip nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt package.json package-lock.json ./
RUN --mount=type=secret,id=ca-certificates,target=/run/secrets/ca-certificates \
    --mount=type=cache,id=metacall-pip,target=/root/.cache/pip \
    --mount=type=cache,id=metacall-npm,target=/root/.npm \
    if [ -s /run/secrets/ca-certificates ]; then \
      export PIP_CERT=/run/secrets/ca-certificates NODE_EXTRA_CA_CERTS=/run/secrets/ca-certificates; fi; \
    pip install --break-system-packages --no-warn-script-location -r requirements.txt \
 && npm ci && rm -rf node_modules/metacall
COPY . .
ENTRYPOINT ["metacallcli"]

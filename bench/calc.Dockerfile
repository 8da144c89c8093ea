# The calc example's `cli` image written by hand as a plain Dockerfile: the
# same steps the frontend emits, for comparing warm build times on one daemon.
# Contexts: metacall-core and plthook, as for the frontend.
FROM debian:bookworm-slim AS base

FROM base AS deps-base
COPY --from=metacall-core / /usr/local/metacall
WORKDIR /usr/local/metacall
RUN --mount=type=secret,id=ca-certificates,target=/run/secrets/ca-certificates \
    --mount=type=cache,id=metacall-apt-archives,target=/var/cache/apt/archives,sharing=locked \
    if [ -s /run/secrets/ca-certificates ]; then export SSL_CERT_FILE=/run/secrets/ca-certificates; fi; \
    DEBIAN_FRONTEND=noninteractive tools/metacall-environment.sh release base backtrace \
 && apt-get install -y --no-install-recommends rapidjson-dev libbackward-cpp-dev googletest
COPY --from=plthook / /usr/local/src/plthook
RUN mkdir -p build && printf '%s\n' -DBackwardCpp_SOURCE=/usr/lib/backward \
      -DFETCHCONTENT_SOURCE_DIR_GOOGLETEST=/usr/src/googletest \
      -DPLTHook_SOURCE_DIR=/usr/local/src/plthook > build/CMakeConfig.txt

FROM deps-base AS built-py
RUN --mount=type=cache,id=metacall-apt-archives,target=/var/cache/apt/archives,sharing=locked \
    DEBIAN_FRONTEND=noninteractive tools/metacall-environment.sh release python
WORKDIR /usr/local/metacall/build
RUN --mount=type=secret,id=ca-certificates,target=/run/secrets/ca-certificates \
    if [ -s /run/secrets/ca-certificates ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca-certificates; fi; \
    ../tools/metacall-configure.sh release python && cmake --build . -j "$(nproc)"
RUN cmake --install . --component runtime && cmake --install . --component Unspecified

FROM deps-base AS built-node
RUN --mount=type=cache,id=metacall-apt-archives,target=/var/cache/apt/archives,sharing=locked \
    DEBIAN_FRONTEND=noninteractive tools/metacall-environment.sh release nodejs \
 && apt-get install -y --no-install-recommends libnode-dev
WORKDIR /usr/local/metacall/build
RUN --mount=type=secret,id=ca-certificates,target=/run/secrets/ca-certificates \
    if [ -s /run/secrets/ca-certificates ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca-certificates; fi; \
    ../tools/metacall-configure.sh release nodejs && cmake --build . -j "$(nproc)"
RUN cmake --install . --component runtime && cmake --install . --component Unspecified \
 && cmake --install . --component cli

FROM base
RUN --mount=from=metacall-core,source=tools,target=/usr/local/metacall/tools \
    --mount=type=cache,id=metacall-apt-archives,target=/var/cache/apt/archives,sharing=locked \
    DEBIAN_FRONTEND=noninteractive /usr/local/metacall/tools/metacall-runtime.sh release backtrace python nodejs clean \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --link --from=built-py /usr/local/lib /usr/local/lib
COPY --link --from=built-node /usr/local/lib /usr/local/lib
COPY --link --from=built-node /usr/local/bin/metacallcli /usr/local/bin/metacallcli
COPY --link --from=built-node /usr/local/share/metacall /usr/local/share/metacall
COPY --link --from=built-py /usr/local/share/metacall/configurations/py_loader.json /usr/local/share/metacall/configurations/
RUN printf '{"node_loader":"/usr/local/share/metacall/configurations/node_loader.json","py_loader":"/usr/local/share/metacall/configurations/py_loader.json","log_level":"Error"}\n' \
      > /usr/local/share/metacall/configurations/global.json && ldconfig && mkdir -p /usr/local/scripts
ENV LOADER_LIBRARY_PATH=/usr/local/lib LOADER_SCRIPT_PATH=/usr/local/scripts \
    CONFIGURATION_PATH=/usr/local/share/metacall/configurations/global.json \
    SERIAL_LIBRARY_PATH=/usr/local/lib DETOUR_LIBRARY_PATH=/usr/local/lib \
    PORT_LIBRARY_PATH=/usr/local/lib NODE_PATH=/usr/local/lib/node_modules
WORKDIR /usr/local/scripts
ENTRYPOINT ["metacallcli"]

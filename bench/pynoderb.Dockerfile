# A [py, node, rb] MetaCall CLI image written by hand: core's build
# dependencies for the three loaders, core configured and compiled once with
# all three, then a runtime stage with only what the install wrote. The
# reference bench/common_compile.py builds beside the frontend's image.
# Contexts: metacall-core and plthook, as for the frontend.
# PYTHON_TEST_PACKAGES=no installs Python's build dependencies as the
# frontend does without core's tests: not the numpy, scipy and scikit-learn
# core's script adds for them.
ARG PYTHON_TEST_PACKAGES=yes
FROM debian:bookworm-slim AS base

FROM base AS built
ARG PYTHON_TEST_PACKAGES
COPY --from=metacall-core / /usr/local/metacall
WORKDIR /usr/local/metacall
RUN --mount=type=secret,id=ca-certificates,target=/run/secrets/ca-certificates \
    --mount=type=cache,id=metacall-apt-archives,target=/var/cache/apt/archives,sharing=locked \
    if [ -s /run/secrets/ca-certificates ]; then export SSL_CERT_FILE=/run/secrets/ca-certificates; fi; \
    if [ "$PYTHON_TEST_PACKAGES" = yes ]; then python=python; else python=; \
      extra="python3 python3-dev python3-pip python3-setuptools python3-wheel"; fi; \
    DEBIAN_FRONTEND=noninteractive tools/metacall-environment.sh release base backtrace $python nodejs ruby \
 && apt-get install -y --no-install-recommends rapidjson-dev libbackward-cpp-dev googletest libnode-dev ${extra:-}
COPY --from=plthook / /usr/local/src/plthook
WORKDIR /usr/local/metacall/build
RUN --mount=type=secret,id=ca-certificates,target=/run/secrets/ca-certificates \
    if [ -s /run/secrets/ca-certificates ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca-certificates; fi; \
    printf '%s\n' -DBackwardCpp_SOURCE=/usr/lib/backward \
      -DFETCHCONTENT_SOURCE_DIR_GOOGLETEST=/usr/src/googletest \
      -DPLTHook_SOURCE_DIR=/usr/local/src/plthook > CMakeConfig.txt \
 && ../tools/metacall-configure.sh release python nodejs ruby && cmake --build . -j "$(nproc)"
RUN cmake --install . --component runtime && cmake --install . --component Unspecified \
 && cmake --install . --component cli

FROM base
RUN --mount=from=metacall-core,source=tools,target=/usr/local/metacall/tools \
    --mount=type=cache,id=metacall-apt-archives,target=/var/cache/apt/archives,sharing=locked \
    DEBIAN_FRONTEND=noninteractive /usr/local/metacall/tools/metacall-runtime.sh release backtrace python nodejs ruby clean \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --link --from=built /usr/local/lib /usr/local/lib
COPY --link --from=built /usr/local/bin/metacallcli /usr/local/bin/metacallcli
COPY --link --from=built /usr/local/share/metacall /usr/local/share/metacall
RUN ldconfig && mkdir -p /usr/local/scripts
ENV LOADER_LIBRARY_PATH=/usr/local/lib LOADER_SCRIPT_PATH=/usr/local/scripts \
    CONFIGURATION_PATH=/usr/local/share/metacall/configurations/global.json \
    SERIAL_LIBRARY_PATH=/usr/local/lib DETOUR_LIBRARY_PATH=/usr/local/lib \
    PORT_LIBRARY_PATH=/usr/local/lib NODE_PATH=/usr/local/lib/node_modules
WORKDIR /usr/local/scripts
ENTRYPOINT ["metacallcli"]

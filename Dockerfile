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

# Only what the interpreter loads: python3.11, its stdlib without tests and
# tooling, the shared libraries ldd names, and the frontend's site directory.
FROM site AS rootfs
RUN set -eu; \
    rm -rf /usr/lib/python3.11/test /usr/lib/python3.11/idlelib /usr/lib/python3.11/tkinter \
           /usr/lib/python3.11/ensurepip /usr/lib/python3.11/lib2to3 /usr/lib/python3.11/pydoc_data \
           /usr/lib/python3.11/unittest /usr/lib/python3.11/distutils; \
    cd /usr/lib/python3.11/lib-dynload \
 && rm -f _ssl.* _hashlib.* _sqlite3.* _dbm.* _gdbm.* _curses*.* readline.* _tkinter.* _lzma.* _bz2.* \
 && cd /opt/frontend; \
# Of the site directory: PyYAML's libyaml binding (the frontend parses with
# yaml.SafeLoader, pure Python), pydantic's v1 and mypy plugin, grpcio's beta
# API and the CA bundle of its TLS channels (the one channel is a plain one to
# a unix socket), protobuf's benchmarks and test helpers; type stubs.
    rm -rf yaml/_yaml.* yaml/cyaml.py _yaml pydantic/v1 pydantic/mypy.py grpc/beta grpc/framework \
           grpc/_cython/_credentials google/protobuf/testdata google/protobuf/internal/*_benchmark.py \
           google/protobuf/internal/testing_refleaks.py; \
    find /opt/frontend -name '*.pyi' -delete; \
# Each package's METADATA keeps its fields (name, version, license), not its
# long description (pydantic's is its changelog); the license files stay.
    sed -i '/^$/,$d' /opt/frontend/*.dist-info/METADATA; \
    cd /; \
# Sources out, bytecode in their place (legacy .pyc beside where the source
# was, loaded without it): a third fewer bytes. The frontend keeps its own
# sources and __pycache__, for tracebacks.
    find /usr/lib/python3.11 /opt/frontend -name __pycache__ -not -path '/opt/frontend/frontend/*' \
      -prune -exec rm -rf {} +; \
    python3.11 -B -m compileall -q -b -j 0 -x '^/opt/frontend/frontend/' /usr/lib/python3.11 /opt/frontend; \
    find /usr/lib/python3.11 /opt/frontend -name '*.py' -not -path '/opt/frontend/frontend/*' -delete; \
    mkdir -p /rootfs/tmp && chmod 1777 /rootfs/tmp; \
    cp -a --parents /usr/bin/python3.11 /usr/lib/python3.11 /etc/python3.11 /opt/frontend /rootfs; \
    find /usr/bin/python3.11 /usr/lib/python3.11 /opt/frontend -name '*.so*' -type f \
      | xargs ldd 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/lib64\// {print $1}' \
      | sort -u | while read -r lib; do cp -L --parents "$lib" /rootfs; done; \
    ldd /usr/bin/python3.11 | awk '$2 == "=>" && $3 ~ /^\// {print $3}' \
      | while read -r lib; do cp -L --parents "$lib" /rootfs; done

FROM scratch
COPY --from=rootfs /rootfs /
ENV PYTHONPATH=/opt/frontend PYTHONDONTWRITEBYTECODE=1 PATH=/usr/bin
# It needs no network, and runs as nobody (it drops root itself too:
# buildkitd starts frontends as root whatever USER says).
USER 65534:65534
LABEL moby.buildkit.frontend.network.none="true" \
      moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts" \
      org.opencontainers.image.title="metacall/frontend" \
      org.opencontainers.image.description="BuildKit frontend composing compact MetaCall images"
# -S: no site module; PYTHONPATH names the one directory the frontend needs.
ENTRYPOINT ["/usr/bin/python3.11", "-S", "-m", "frontend"]

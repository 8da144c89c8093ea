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
# Each module left out below is named by no import statement that the frontend
# runs: tests/image_check.py runs the gateway and the command line inside the
# image, and lists every import statement of a module the image lacks (each
# in code the frontend never runs: its DANGLING says where and why).
FROM site AS rootfs
WORKDIR /usr/lib/python3.11
RUN set -eu; \
# Tests, tools and the interactive prompt: pydoc and its help(), debuggers,
# profilers, doctest, turtle, installers; nothing imports them at run time.
    rm -rf test idlelib tkinter turtledemo ensurepip lib2to3 pydoc_data unittest distutils venv \
           pydoc.py doctest.py pdb.py bdb.py cmd.py code.py codeop.py profile.py cProfile.py \
           pstats.py timeit.py trace.py pyclbr.py pickletools.py modulefinder.py tabnanny.py \
           symtable.py zipapp.py turtle.py antigravity.py this.py __hello__.py __phello__ \
           rlcompleter.py _distutils_system_mod.py sqlite3 curses dbm shelve.py; \
# Protocols and formats the frontend does not speak (it speaks gRPC through
# grpcio's C core and reads YAML, JSON and UTF-8 text), with what imports
# them (logging's handlers and logging.config, never set up; urllib.request);
# left: platform.mac_ver's plistlib (macOS) and shutil's archives (never made).
    rm -rf http xmlrpc wsgiref xml plistlib.py urllib/request.py urllib/robotparser.py \
           ftplib.py imaplib.py poplib.py nntplib.py smtplib.py smtpd.py telnetlib.py \
           socketserver.py cgi.py cgitb.py mailbox.py mailcap.py netrc.py asynchat.py asyncore.py \
           webbrowser.py logging/config.py logging/handlers.py configparser.py tarfile.py \
           optparse.py _markupbase.py html \
           aifc.py sunau.py wave.py chunk.py sndhdr.py imghdr.py audioop.py uu.py xdrlib.py pipes.py \
           crypt.py; \
# Process pools (only concurrent.futures' ProcessPoolExecutor, never used)
# and ctypes; pure-Python fallbacks of modules whose C version is here or
# that were left out (_pydecimal, _pyio, lzma, bz2); CJK codecs (all text is UTF-8).
    rm -rf multiprocessing concurrent/futures/process.py ctypes _pydecimal.py _pyio.py lzma.py bz2.py \
           encodings/big5.py encodings/big5hkscs.py encodings/cp932.py encodings/cp949.py \
           encodings/cp950.py encodings/euc_*.py encodings/gb*.py encodings/hz.py \
           encodings/iso2022_*.py encodings/johab.py encodings/shift_jis*.py; \
    cd lib-dynload; \
    rm -f _ssl.* _hashlib.* _sqlite3.* _dbm.* _gdbm.* _curses*.* readline.* _tkinter.* _lzma.* _bz2.* \
          _codecs_*.* _multibytecodec.* _crypt.* nis.* _ctypes*.* _lsprof.* _multiprocessing.* \
          _posixshmem.* _test*.* _xx*.* xxlimited*.* audioop.* ossaudiodev.*; \
    cd /opt/frontend; \
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
# sources and __pycache__, for tracebacks. One process: multiprocessing is out.
    find /usr/lib/python3.11 /opt/frontend -name __pycache__ -not -path '/opt/frontend/frontend/*' \
      -prune -exec rm -rf {} +; \
    python3.11 -B -m compileall -q -b -x '^/opt/frontend/frontend/' /usr/lib/python3.11 /opt/frontend; \
    find /usr/lib/python3.11 /opt/frontend -name '*.py' -not -path '/opt/frontend/frontend/*' -delete; \
    rm /usr/lib/python3.11/compileall.pyc /usr/lib/python3.11/py_compile.pyc; \
    mkdir -p /rootfs/tmp && chmod 1777 /rootfs/tmp; \
    cp -a --parents /usr/bin/python3.11 /usr/lib/python3.11 /etc/python3.11 /opt/frontend /rootfs; \
    find /usr/bin/python3.11 /usr/lib/python3.11 /opt/frontend -name '*.so*' -type f \
      | xargs ldd 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} NF == 2 && $1 ~ /^\// {print $1}' \
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

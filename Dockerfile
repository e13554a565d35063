# syntax=docker/dockerfile:1
# The Helpline image: one `helpline` binary, built with the workspace's toolchain, run as a
# non-root user on a minimal base that has glibc and CA certificates (distroless).
#
#   docker build --build-arg HELPLINE_COMMIT="$(git rev-parse --short HEAD)" -t helpline .
#   docker run --rm -e DISCORD_TOKEN -v helpline-data:/data helpline run

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# The commit `helpline_build_info` reports.
ARG HELPLINE_COMMIT=unknown
ENV HELPLINE_COMMIT=${HELPLINE_COMMIT}
COPY . .
# The registry and the target directory are cached between builds; the binary is copied out of
# the cache in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p helpline \
    && mkdir -p /out/data \
    && cp /src/target/release/helpline /out/helpline

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/helpline /usr/local/bin/helpline
# Where the SQLite store of a single node lives (mount a volume there; a cluster's store is
# ScyllaDB). Owned by the image's non-root user.
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
ENV HELPLINE_STORE_SQLITE_PATH=/data/helpline.sqlite3 \
    HELPLINE_METRICS_LISTEN=0.0.0.0:9100
# /metrics, /healthz and /readyz.
EXPOSE 9100
USER 65532:65532
ENTRYPOINT ["helpline"]
CMD ["run"]

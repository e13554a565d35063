# syntax=docker/dockerfile:1
# The Helpline image: one `helpline` binary, built with the workspace's toolchain, run as a
# non-root user on a minimal base that has glibc and CA certificates (distroless).
#
#   docker build --build-arg HELPLINE_COMMIT="$(git rev-parse --short HEAD)" -t helpline .
#   docker run --rm -e DISCORD_TOKEN -e HELPLINE_METRICS_LISTEN=0.0.0.0:9100 -p 9100:9100 \
#     -v helpline-data:/data helpline run

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# The commit `helpline_build_info` reports.
ARG HELPLINE_COMMIT=unknown
ENV HELPLINE_COMMIT=${HELPLINE_COMMIT}
COPY . .
# The registry and the target directory are cached between builds; the binary is copied out of
# the cache in the same step.
ARG TARGETPLATFORM
# One target cache per platform, locked: a multi-platform build never copies another's binary.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/src/target,id=helpline-target-${TARGETPLATFORM},sharing=locked \
    cargo build --release --locked -p helpline \
    && mkdir -p /out/data \
    && cp /src/target/release/helpline /out/helpline

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/helpline /usr/local/bin/helpline
# Where the SQLite store of a single node lives (mount a volume there; a cluster's store is
# ScyllaDB). Owned by the image's non-root user.
COPY --from=build --chown=65532:65532 /out/data /data
# The default `store.sqlite_path` (helpline.sqlite3) is relative: it lands here. No setting is
# given through the environment, which would override a mounted settings file.
WORKDIR /data
# /metrics, /healthz and /readyz, once `metrics.listen` is set (the chart sets 0.0.0.0:9100).
EXPOSE 9100
USER 65532:65532
ENTRYPOINT ["helpline"]
CMD ["run"]

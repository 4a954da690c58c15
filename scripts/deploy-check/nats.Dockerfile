# nats-server from Debian's package, on the debootstrap base of `npm run deploy:check` (no image is pulled).
ARG BASE=cctap-base:bookworm
FROM ${BASE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends nats-server \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
EXPOSE 4222 8222
ENTRYPOINT ["nats-server"]

#!/bin/bash
# The image's health check: GET /__admin/health over bash's /dev/tcp, healthy on 200 (503 while saving
# fails). Bash alone, no node: a probe costs milliseconds, so it can run often enough for the
# container to be healthy within a second of `docker run` (Docker 20's HEALTHCHECK has no
# --start-interval: the first probe waits a whole --interval).
exec 3<>"/dev/tcp/127.0.0.1/${PORT:-4010}" || exit 1
printf 'GET /__admin/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
read -r -t 2 _ status _ <&3 || exit 1
[ "$status" = 200 ]

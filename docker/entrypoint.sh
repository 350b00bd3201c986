#!/bin/sh
# Maps the image's commands to node. Every branch uses exec so that node is
# PID 1 and receives docker stop's SIGTERM itself (it saves the database, then exits).
#   (nothing), serve, a flag (--seed 7) or a phonebridge-mock command: phonebridge-mock with those arguments
#   contract ARGS...   the contract suite: phonebridge-contract ARGS...
#   anything else      run as given (sh, node -e ..., id)
set -e
[ "$#" -gt 0 ] || set -- serve
case "$1" in
  serve | -* | click-to-call | call-control | outbox | receiver)
    exec node /app/dist/bundle/main.mjs "$@"
    ;;
  contract)
    shift
    exec node /app/dist/bundle/contract.mjs "$@"
    ;;
  *)
    exec "$@"
    ;;
esac

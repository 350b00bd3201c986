#!/bin/sh
# Maps the image's commands to node. Every branch uses exec so that node is
# PID 1 and receives docker stop's SIGTERM itself (it saves the database, then exits).
#   serve (default)    the mock server
#   contract ARGS...   the contract suite: node dist/contract-tests/cli.js ARGS...
#   anything else      run as given (sh, node -e ..., id)
set -e
[ "$#" -gt 0 ] || set -- serve
case "$1" in
  serve)
    shift
    exec node /app/dist/server/main.js "$@"
    ;;
  contract)
    shift
    exec node /app/dist/contract-tests/cli.js "$@"
    ;;
  *)
    exec "$@"
    ;;
esac

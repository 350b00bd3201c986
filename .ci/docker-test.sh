#!/usr/bin/env bash
# CI's Docker step, separate from `npm test`: build the image on a private
# engine, lint it, run it, and check what the README promises (health, non-root,
# contract suite, data kept across restarts, fast clean stop).
# Prints "docker: N passed, N failed" and writes "N N" to .ci/docker-results.txt
# for .ci/run's total. Exits non-zero if any check failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
results=.ci/docker-results.txt
# CI lays shared/ beside the clone; the worktree has it beside too.
offline=${DOCKER_OFFLINE:-$root/../shared/tools/docker-offline.sh}
image=phonebridge-mock:ci
name=phonebridge-ci-$$
volume=phonebridge-ci-data-$$
network=
# The image listens on 0.0.0.0, so its control plane needs a token: a fixed one, known to the checks below.
admin_token=ci-admin-token-$$-$RANDOM
work=$(mktemp -d)
passed=0 failed=0
echo "0 1" >"$results" # a crash before the end still counts as a failure

ok() { passed=$((passed + 1)); echo "ok   - $*"; }
ko() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { # check DESCRIPTION COMMAND...: counts the command's outcome
  local what=$1; shift
  if "$@"; then ok "$what"; else ko "$what"; fi
}

finish() {
  if [[ -n ${DOCKER_HOST:-} ]]; then
    docker rm -f "$name" >/dev/null 2>&1
    docker volume rm "$volume" >/dev/null 2>&1
    [[ -n $network ]] && docker network rm "$network" >/dev/null 2>&1
  fi
  bash "$offline" stop >/dev/null 2>&1
  rm -rf "$work"
  echo "$passed $failed" >"$results"
  echo "docker: $passed passed, $failed failed"
}
trap finish EXIT
# Without the engine, image or container nothing after can run: stop here, counted.
fatal() { ko "$*"; exit 1; }

# --- engine and base image (no container registry here: both made locally)
if out=$(bash "$offline" start); then
  eval "$(grep '^export DOCKER_HOST=' <<<"$out")"
  ok "docker engine started"
else
  fatal "docker engine start"
fi
bash "$offline" base 22 >/dev/null || fatal "base image node:22-bookworm-slim"
ok "base image node:22-bookworm-slim"

# --- lint: shellcheck (Debian) on the scripts, dockerlinter (npm) on the Dockerfile
if ! command -v shellcheck >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
fi
check "shellcheck docker/entrypoint.sh docker/healthcheck.sh .ci/docker-test.sh .ci/run" \
  shellcheck docker/entrypoint.sh docker/healthcheck.sh .ci/docker-test.sh .ci/run
# --ignore-scripts: its postinstall downloads a shellcheck binary, which this
# network cannot; it uses the one on PATH instead. It writes temp files in cwd.
lint_dockerfile() {
  npm install --prefix "$work/lint" --ignore-scripts --no-audit --no-fund --silent dockerlinter@2 >/dev/null &&
    (cd "$work/lint" && ./node_modules/.bin/dockerlinter -f "$root/Dockerfile" -e info)
}
check "dockerlinter Dockerfile" lint_dockerfile

# --- build
start=$(date +%s)
docker build -q -t "$image" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; fatal "docker build"; }
ok "docker build ($(($(date +%s) - start)) s)"
size=$(docker image inspect -f '{{.Size}}' "$image")
base_size=$(docker image inspect -f '{{.Size}}' node:22-bookworm-slim)
own=$(((size - base_size) / 1000))
echo "     image $image: $((size / 1000000)) MB, of which $((own / 1000)) MB above node:22-bookworm-slim"
# Issue 17: the app's own layers (bundled commands, documents, console) at most 30 MB.
check "the app's layers above the base: $own kB (at most 30,000)" test "$own" -le 30000
check "no node_modules in the image" test -z "$(docker run --rm --entrypoint sh "$image" -c 'ls -d /app/node_modules 2>/dev/null')"

# --- run: a named volume for the data, the port on loopback only
docker volume create "$volume" >/dev/null
run_start=$(date +%s%N)
docker run -d --name "$name" -v "$volume:/data" -p 127.0.0.1::4010 \
  -e HOST=0.0.0.0 -e PHONEBRIDGE_ADMIN_TOKEN="$admin_token" "$image" >/dev/null || fatal "docker run"

wait_healthy() {
  local state
  for _ in $(seq 1 60); do
    state=$(docker inspect -f '{{.State.Status}} {{.State.Health.Status}}' "$name" 2>/dev/null)
    [[ $state == "running healthy" ]] && return 0
    [[ $state == running* ]] || break
    sleep 1
  done
  echo "     container state: $state"; docker logs --tail 20 "$name" 2>&1
  return 1
}
host_port() { local p; p=$(docker port "$name" 4010/tcp | head -n 1); echo "${p##*:}"; }
# POST /integrate as the licensed org's admin; prints "HTTP_STATUS CODE".
integrate() {
  node -e '
    fetch(process.argv[1] + "/crm/v2/phonebridge/integrate", { method: "POST",
      headers: { Authorization: "Zoho-oauthtoken 1000.admin.mockpbx" } })
      .then(async (r) => console.log(r.status, (await r.json().catch(() => ({}))).code ?? ""))
      .catch((e) => console.log("ERR", e.message));' "http://127.0.0.1:$(host_port)"
}

# GET a control-plane path, with the admin token if a second argument says so; prints the HTTP status.
admin_get() {
  node -e '
    const [url, token] = process.argv.slice(1);
    fetch(url, { headers: token ? { Authorization: "Bearer " + token } : {} })
      .then((r) => console.log(r.status), (e) => console.log("ERR", e.message));' "http://127.0.0.1:$(host_port)$1" "${2:-}"
}

# From docker run to the first healthy probe, polled every 20 ms (a figure for bench/README.md; the goal is under 1 s).
for _ in $(seq 1 500); do
  [[ $(docker inspect -f '{{.State.Health.Status}}' "$name" 2>/dev/null) == healthy ]] && break
  sleep 0.02
done
echo "     docker run to healthy: $((($(date +%s%N) - run_start) / 1000000)) ms"
wait_healthy || fatal "container healthy"
ok "container healthy"
check "health open without the admin token" test "$(admin_get /__admin/health)" = 200
check "control plane: 401 without the admin token" test "$(admin_get /__admin/outbox)" = 401
check "control plane: 200 with PHONEBRIDGE_ADMIN_TOKEN" test "$(admin_get /__admin/outbox "$admin_token")" = 200
# The console's page and script are in the image (their data comes from the control plane, token and all).
check "web console served: page and script" test "$(admin_get /__admin/console/) $(admin_get /__admin/console/app.js)" = "200 200"
uid=$(docker exec "$name" id -u)
check "runs as non-root (uid $uid)" test "$uid" != 0
pid1=$(docker exec "$name" cat /proc/1/cmdline | tr '\0' ' ')
check "node is PID 1 ($pid1)" test "${pid1%% *}" = node
# Arguments after the image name are phonebridge-mock's command line.
version=$(docker run --rm "$image" --version 2>&1)
check "docker run IMAGE --version: $version" test "$version" = "$(node -p 'require("./package.json").version')"

# --- contract suite, run by the image itself, against the container
port=$(host_port)
target=http://127.0.0.1:$port
if ! docker run --rm --network host "$image" node -e "fetch('$target/openapi.json').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" >/dev/null 2>&1; then
  # No host networking here: a user-defined network, the container's name as host.
  network=phonebridge-ci-net-$$
  docker network create "$network" >/dev/null && docker network connect "$network" "$name"
  target=http://$name:4010
fi
docker run --rm --network "${network:-host}" -e PHONEBRIDGE_ADMIN_TOKEN="$admin_token" "$image" contract --target "$target" \
  --token 1000.admin.mockpbx --user-token 1000.user.mockpbx --free-token 1000.admin.freeedition \
  --unregistered-token 1000.admin.unregistered --otherpbx-token 1000.admin.otherpbx \
  --expired-token 1000.expired.mockpbx --client-id 1000.MOCKPBXCLIENT0000000000000000 \
  --client-secret mockpbx-client-secret-00000000000000000000 --allow-writes >"$work/contract.log" 2>&1
status=$?
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/contract.log" | tail -n 1)
[[ $status == 0 ]] || tail -n 40 "$work/contract.log"
contract_ok() { [[ $status == 0 && -n $line ]]; }
check "contract suite via the image against $target: ${line:-no summary} (exit $status)" contract_ok

# --- persistence: our own write (the contract run undoes its writes)
answer=$(integrate)
check "enable integration before restart: $answer" test "$answer" = "200 SUCCESS"

start=$(date +%s%N)
docker stop "$name" >/dev/null
ms=$((($(date +%s%N) - start) / 1000000))
check "docker stop in under 2 s ($ms ms)" test "$ms" -lt 2000
check "exit code 0 after SIGTERM" test "$(docker inspect -f '{{.State.ExitCode}}' "$name")" = 0
check "logs show the shutdown save" \
  grep -q 'SIGTERM, saving /data/phonebridge.json and stopping' < <(docker logs "$name" 2>&1)

docker start "$name" >/dev/null || fatal "docker start after stop"
wait_healthy || fatal "container healthy after restart"
ok "container healthy after restart"
answer=$(integrate)
check "integration still enabled after restart: $answer" test "$answer" = "403 PBX_ALREADY_ENABLED"

[[ $failed == 0 ]]

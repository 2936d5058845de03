#!/usr/bin/env bash
# Installs the Debian package made by `cpack` on this machine, starts slipwayd and slipway-agent
# the way their installed systemd units say (user, groups, environment file, command line), pushes
# examples/hello to a bare repository and waits, with the installed CLI, for the run to succeed.
# Then stops both with SIGTERM (each must exit 0) and removes the package.
#
#   install_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2

fail() { echo "install_test: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg, service users)"
dpkg -s slipway >/dev/null 2>&1 && fail "a slipway package is already installed here; not touching it"

work=$(mktemp -d /tmp/slipway-install.XXXXXX)
chmod 0755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  dpkg --purge slipway >/dev/null 2>&1 || true
  rm -rf "$work" /var/lib/slipway /var/lib/slipway-agent
}
trap cleanup EXIT

echo "install_test: packaging"
(cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/pkg/slipway_*.deb)
# Outputs are read whole before matching: under pipefail, grep -q ending a pipe early fails it.
info=$(dpkg-deb --info "$deb")
grep -q 'Depends:.*git' <<<"$info" || fail "the package does not depend on git"
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i failed"; }

# What the package put on the machine.
for f in /usr/bin/slipwayd /usr/bin/slipway-agent /usr/bin/slipway /lib/systemd/system/slipwayd.service \
         /lib/systemd/system/slipway-agent.service /etc/slipway/slipwayd.yml /etc/slipway/agent.env; do
  [ -e "$f" ] || fail "missing after install: $f"
done
id slipway >/dev/null || fail "no slipway system user"
groups=$(id -nG slipway-agent)
grep -qw docker <<<"$groups" || fail "slipway-agent is not in the docker group"
[ "$(stat -c '%a %G' /etc/slipway/slipwayd.yml)" = "640 slipway" ] || fail "slipwayd.yml must be 0640 root:slipway"
conffiles=$(dpkg-query -W -f='${Conffiles}' slipway)
grep -q /etc/slipway/slipwayd.yml <<<"$conffiles" || fail "slipwayd.yml is not a conffile"
/usr/bin/slipwayd --help >/dev/null || fail "installed slipwayd --help failed"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
admin_token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
agent_token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
secret=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat >/etc/slipway/slipwayd.yml <<CONF
listen: 127.0.0.1:$port
data: /var/lib/slipway
admin_token: $admin_token
agent_token: $agent_token
base_check: "off"
CONF
sed -i -e "s|^SLIPWAY_SERVER=.*|SLIPWAY_SERVER=http://127.0.0.1:$port|" \
       -e "s|^SLIPWAY_AGENT_TOKEN=.*|SLIPWAY_AGENT_TOKEN=$agent_token|" \
       -e "s|^SLIPWAY_AGENT_NAME=.*|SLIPWAY_AGENT_NAME=installed-agent|" /etc/slipway/agent.env

# A unit's value for KEY, with backslash continuations joined.
unit_value() { sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$1" | sed -n "s/^$2=//p" | head -1; }
# Starts what a unit's ExecStart says, as its User with its groups and EnvironmentFile, like systemd.
start_unit() {
  local unit=/lib/systemd/system/$1 log=$2 user env_file cmd
  user=$(unit_value "$unit" User)
  env_file=$(unit_value "$unit" EnvironmentFile)
  cmd=$(unit_value "$unit" ExecStart)
  (
    # What systemd gives a unit's process: its user's HOME, USER and LOGNAME, then the env file.
    export HOME USER=$user LOGNAME=$user
    HOME=$(getent passwd "$user" | cut -d: -f6)
    if [ -n "$env_file" ]; then set -a; . "$env_file"; set +a; fi
    # ${NAME} in ExecStart is replaced from the environment, one argument per word.
    read -r -a argv <<<"$cmd"
    for i in "${!argv[@]}"; do
      while [[ ${argv[$i]} =~ \$\{([A-Z_]+)\} ]]; do
        name=${BASH_REMATCH[1]}
        argv[$i]=${argv[$i]//\$\{$name\}/${!name:-}}
      done
    done
    cd /
    exec setpriv --reuid="$user" --regid="$user" --init-groups -- "${argv[@]}"
  ) >"$log" 2>&1 &
  pids+=($!)
}

start_unit slipwayd.service "$work/slipwayd.log"
server=http://127.0.0.1:$port
for _ in $(seq 1 100); do curl -fsS -o /dev/null "$server/healthz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "$server/healthz" || { cat "$work/slipwayd.log"; fail "installed slipwayd did not answer"; }
[ "$(stat -c %U /var/lib/slipway)" = slipway ] || fail "/var/lib/slipway is not owned by slipway"
start_unit slipway-agent.service "$work/agent.log"

git init -q --bare "$work/hello.git"
install -m 0755 /usr/share/slipway/git-hooks/post-receive "$work/hello.git/hooks/post-receive"
git -C "$work/hello.git" config slipway.url "$server"
git -C "$work/hello.git" config slipway.repo installed/hello
git -C "$work/hello.git" config slipway.secret "$secret"
# Served by git's own daemon: the service users read it as clients, as from any git server.
git_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
git daemon --reuseaddr --export-all --base-path="$work" --listen=127.0.0.1 --port="$git_port" "$work" \
  >"$work/git-daemon.log" 2>&1 &
pids+=($!)
curl -fsS -o /dev/null -X POST "$server/api/v1/repos" -H "Authorization: Bearer $admin_token" \
  -H 'Content-Type: application/json' \
  -d "{\"name\":\"installed/hello\",\"forge\":\"github\",\"clone_url\":\"git://127.0.0.1:$git_port/hello.git\",\"secret\":\"$secret\"}" \
  || fail "registering the repository failed"

git init -q -b main "$work/checkout"
cp -a "$src/examples/hello/." "$work/checkout/"
sed -i "s|^image: .*|image: 127.0.0.1:5000/install-test/hello|" "$work/checkout/.slipway.yml"
git -C "$work/checkout" add -A
git -C "$work/checkout" -c user.name=Install -c user.email=install@example.invalid commit -qm "hello through the installed services"
chmod -R a+rX "$work"
git -C "$work/checkout" remote add origin "$work/hello.git"
push_output=$(git -C "$work/checkout" push origin main 2>&1)
run_id=$(echo "$push_output" | sed -n 's/.*"run_id":\([0-9]*\).*/\1/p' | head -1)
[ -n "$run_id" ] || { echo "$push_output"; cat "$work/slipwayd.log"; fail "the push started no run"; }

if ! SLIPWAY_SERVER=$server SLIPWAY_TOKEN=$admin_token /usr/bin/slipway wait "$run_id" --timeout 300; then
  echo "--- slipwayd"; tail -30 "$work/slipwayd.log"; echo "--- agent"; tail -30 "$work/agent.log"
  fail "run $run_id did not succeed through the installed services"
fi
tags=$(curl -fsS "http://127.0.0.1:5000/v2/install-test/hello/tags/list")
grep -q '"main"' <<<"$tags" || fail "the runtime image was not pushed"

# SIGTERM drains: both services exit 0 (the units' KillSignal).
for pid in "${pids[@]:0:2}"; do kill -TERM "$pid"; done
for pid in "${pids[@]:0:2}"; do wait "$pid" || fail "a service did not exit 0 on SIGTERM"; done
pids=("${pids[@]:2}")
echo "install_test: run $run_id succeeded through the installed services"

#!/usr/bin/env bash
# Starts a private Docker engine for the Docker backend's tests and builds their image locally
# (no registry is needed: a busybox root file system goes in through `docker import`).
# Prints the DOCKER_HOST to use on stdout; prints nothing when no engine can start here, and
# the tests then say so and are skipped.
set -u
root=${SPARKS_DOCKER_ROOT:-/tmp/sparks-dockerd}
socket="$root/docker.sock"
image=sparks-test-busybox:1
docker=/usr/bin/docker
[ -x "$docker" ] || docker=$(command -v docker || true)

if [ -z "$docker" ] || ! command -v dockerd >/dev/null 2>&1; then
    echo "start-docker: docker.io is not installed; Docker backend tests will be skipped" >&2
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "start-docker: starting dockerd needs root; Docker backend tests will be skipped" >&2
    exit 0
fi
mkdir -p "$root"
if ! DOCKER_HOST="unix://$socket" "$docker" version >/dev/null 2>&1; then
    dockerd --iptables=false --bridge=none --data-root "$root/data" --exec-root "$root/exec" \
        -H "unix://$socket" --pidfile "$root/docker.pid" >"$root/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
        DOCKER_HOST="unix://$socket" "$docker" version >/dev/null 2>&1 && break
        sleep 0.5
    done
fi
if ! DOCKER_HOST="unix://$socket" "$docker" version >/dev/null 2>&1; then
    echo "start-docker: dockerd did not start (see $root/dockerd.log); Docker backend tests will be skipped" >&2
    exit 0
fi
if ! DOCKER_HOST="unix://$socket" "$docker" image inspect "$image" >/dev/null 2>&1; then
    busybox=$(command -v busybox || echo /bin/busybox)
    rootfs=$(mktemp -d)
    mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/usr/bin"
    cp "$busybox" "$rootfs/bin/busybox"
    for applet in $("$rootfs/bin/busybox" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/tmp:/bin/sh\n' >"$rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
    tar -C "$rootfs" -c . | DOCKER_HOST="unix://$socket" "$docker" import - "$image" >/dev/null
    rm -rf "$rootfs"
fi
# Containers left by an earlier run that was killed (label sparks=1) would count against the
# process limits of uid 65534: remove them.
leftovers=$(DOCKER_HOST="unix://$socket" "$docker" ps -aq --filter label=sparks=1)
[ -z "$leftovers" ] || DOCKER_HOST="unix://$socket" "$docker" rm -f $leftovers >/dev/null 2>&1
echo "unix://$socket"

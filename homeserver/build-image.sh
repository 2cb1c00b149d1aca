#!/usr/bin/env bash
# Builds the Synapse test image used by the scenario tests (`scenarios/`), without any container
# registry: a Debian rootfs from debootstrap, Synapse from PyPI into a venv, then `docker import`.
# The tag is a content hash of this directory's inputs, so the image is rebuilt only when they change.
#
# Usage: homeserver/build-image.sh              build unless the tagged image already exists
#        homeserver/build-image.sh --force      build even if it exists
#        homeserver/build-image.sh --print-tag  print the image tag and exit
# Needs: root (debootstrap, chroot), Docker, network access to the Debian archive and PyPI.
# Env:   DEBIAN_MIRROR  overrides the mirror read from the host's apt sources.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

SYNAPSE_VERSION=1.163.2
SUITE=bookworm
REPO=localhost/msc4268-synapse
LABEL=org.msc4268.scenarios
INPUTS=(build-image.sh start-synapse synapse-base.yaml log.yaml constraints.txt)

image_tag() {
  local h
  h=$(for f in "${INPUTS[@]}"; do printf '%s\n' "$f"; cat "$here/$f"; done | sha256sum | cut -c1-16)
  echo "$REPO:$h"
}

mode=${1:-}
case "$mode" in
  --print-tag) image_tag; exit 0 ;;
  --force|"") ;;
  *) echo "usage: $0 [--force|--print-tag]" >&2; exit 2 ;;
esac

tag=$(image_tag)
if [[ "$mode" != --force ]] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "image $tag is up to date" >&2
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "building $tag needs root (debootstrap and chroot); run: sudo $0" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "installing debootstrap" >&2
  apt-get install -y -qq debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
fi

mirror=${DEBIAN_MIRROR:-}
if [[ -z "$mirror" && -f /etc/apt/sources.list.d/debian.sources ]]; then
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [[ -z "$mirror" && -f /etc/apt/sources.list ]]; then
  mirror=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list)
fi
if [[ -z "$mirror" ]]; then
  echo "no Debian mirror found in the apt sources; set DEBIAN_MIRROR" >&2
  exit 1
fi

work=$(mktemp -d /var/tmp/msc4268-synapse.XXXXXX)
root="$work/rootfs"
unmount_all() {
  # debootstrap mounts /proc and /sys inside the rootfs; never delete or archive through a mount.
  local m
  for m in proc/sys/fs/binfmt_misc dev/pts proc sys; do
    if mountpoint -q "$root/$m" 2>/dev/null; then umount -l "$root/$m" || true; fi
  done
}
cleanup() { unmount_all; rm -rf --one-file-system "$work"; }
trap cleanup EXIT
start=$SECONDS

echo "== [1/4] debootstrap $SUITE ($mirror)" >&2
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  "$SUITE" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log" >&2; exit 1; }

echo "== [2/4] matrix-synapse $SYNAPSE_VERSION into /opt/synapse ($((SECONDS - start)) s)" >&2
# Outbound TLS may be re-signed by a CA only the host trusts: give pip the host bundle, then remove it.
host_ca=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}
cp "$host_ca" "$root/tmp/host-ca.crt"
cp "$here/constraints.txt" "$root/tmp/constraints.txt"
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root python3 -m venv /opt/synapse
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  PIP_CERT=/tmp/host-ca.crt PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 \
  ${PIP_INDEX_URL:+PIP_INDEX_URL=$PIP_INDEX_URL} \
  /opt/synapse/bin/pip install -q -c /tmp/constraints.txt "matrix-synapse==$SYNAPSE_VERSION"
chroot "$root" /opt/synapse/bin/pip freeze --all | grep -v -E '^(pip|setuptools)==' >"$work/freeze.txt"
rm -f "$root/tmp/host-ca.crt" "$root/tmp/constraints.txt"

echo "== [3/4] test entrypoint and trim ($((SECONDS - start)) s)" >&2
install -m 0755 "$here/start-synapse" "$root/usr/local/bin/start-synapse"
install -d "$root/etc/synapse" "$root/data"
install -m 0644 "$here/synapse-base.yaml" "$root/etc/synapse/base.yaml"
install -m 0644 "$here/log.yaml" "$root/etc/synapse/log.yaml"
chroot "$root" /opt/synapse/bin/pip uninstall -q -y pip setuptools >/dev/null 2>&1 || true
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/usr/share/info/* "$root"/var/log/*
# Precompiled bytecode halves Synapse's start-up time.
chroot "$root" /opt/synapse/bin/python -m compileall -q -j 0 /opt/synapse/lib >/dev/null 2>&1 || true

unmount_all
echo "== [4/4] docker import $tag ($((SECONDS - start)) s)" >&2
tar -C "$root" --numeric-owner --one-file-system -c . | docker import \
  -c 'ENTRYPOINT ["/usr/local/bin/start-synapse"]' \
  -c 'EXPOSE 8008 8448' \
  -c "LABEL $LABEL=image" \
  -c "LABEL org.msc4268.synapse-version=$SYNAPSE_VERSION" \
  - "$tag" >/dev/null
if ! diff -q <(grep -v '^#' "$here/constraints.txt" | sort -f) <(sort -f "$work/freeze.txt") >/dev/null; then
  echo "note: installed versions differ from homeserver/constraints.txt; pip freeze:" >&2
  cat "$work/freeze.txt" >&2
fi
echo "built $tag in $((SECONDS - start)) s" >&2

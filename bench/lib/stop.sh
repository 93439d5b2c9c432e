# Stops what a bench script started, by PID only (sourced by bench/*.sh).

# stop_child PID: SIGTERM to a child of this shell, then reap it.
stop_child() {
  [[ -n $1 ]] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# stop_tgtd PID CONTROL_PORT TID...: tgtd ignores SIGTERM while it has targets, so remove them and
# the system first, then SIGTERM, and SIGKILL if it is still there a second later.
stop_tgtd() {
  local pid=$1 control=$2
  shift 2
  [[ -n $pid ]] || return 0
  for tid in "$@"; do tgtadm -C "$control" --lld iscsi --op delete --mode target --tid "$tid" --force >/dev/null 2>&1 || true; done
  tgtadm -C "$control" --op delete --mode system --force >/dev/null 2>&1 || true
  kill "$pid" 2>/dev/null || true
  for _ in 1 2 3 4 5; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

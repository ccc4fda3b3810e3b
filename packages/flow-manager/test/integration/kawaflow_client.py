#!/usr/bin/python3
"""A kawaflow client, written from kawaflow's flow-manager API reference (python-socketio, Debian's package).

It sends requests without acknowledgements and reads the reply events, pushes and `error` events kawaflow
documents, against a flow-manager started with the `kawaflow` option. Exits 0 when every check passed, 1 with the
first failure on stderr. Run by kawaflow-python.test.ts; settings come from the environment:
FM_URL, FM_TOKEN, FM_IMAGE, FM_CODE_V1, FM_CODE_V2 (flow code directories), FM_DATA (a directory to mount),
FM_OUTSIDE (a directory outside the allowed roots).
"""
import os
import sys
import threading
import time

import socketio

URL = os.environ["FM_URL"]
TOKEN = os.environ["FM_TOKEN"]
TIMEOUT = 30.0

lock = threading.Condition()
received = []  # (event, payload), in arrival order


def on_any(event, data=None):
    with lock:
        received.append((event, data))
        lock.notify_all()


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect(event, pred=lambda d: True, timeout=TIMEOUT, since=0):
    """The first `event` received at index >= since whose payload matches `pred`."""
    deadline = time.monotonic() + timeout
    with lock:
        while True:
            for i in range(since, len(received)):
                name, data = received[i]
                if name == event and pred(data):
                    return data
            left = deadline - time.monotonic()
            if left <= 0:
                seen = [n for n, _ in received[since:]][-30:]
                raise AssertionError("no %s matching within %.0f s; last events: %s" % (event, timeout, seen))
            lock.wait(left)


def mark():
    with lock:
        return len(received)


def request(event, payload, reply, pred=lambda d: True, timeout=TIMEOUT):
    """kawaflow style: emit without an acknowledgement, then wait for the reply event."""
    start = mark()
    sio.emit(event, payload)
    return expect(reply, pred, timeout, start)


def request_error(event, payload, error_type):
    start = mark()
    sio.emit(event, payload)
    err = expect("error", lambda d: True, TIMEOUT, start)
    check(err.get("error") is True, "error flag: %r" % err)
    check(err.get("error_type") == error_type, "%s: error_type %r, wanted %r (%r)" % (event, err.get("error_type"), error_type, err))
    for key in ("message", "details", "timestamp"):
        check(key in err, "error has no %s: %r" % (key, err))
    return err


def is_for(cid):
    return lambda d: d.get("container_id") == cid


def kawaflow_status(cid):
    """kawaflow's container_status reply (uptime "H:MM:SS" or None), not the service's own push of the same name."""
    return lambda d: d.get("container_id") == cid and not isinstance(d.get("uptime"), (int, float))


sio = socketio.Client(reconnection=False)
sio.on("*", on_any)


def main():
    sio.connect(URL, auth={"token": TOKEN}, transports=["websocket"], wait_timeout=20)
    hello = expect("connected")
    check(hello.get("message") == "Connected to flow-manager", "connected: %r" % hello)

    # Validation errors in the seed's format: ports under the default network none, a volume outside the roots,
    # an http health check (traffic to a container IP: not offered), an unknown id, an unknown event.
    request_error("create_container", {"image": os.environ["FM_IMAGE"], "ports": {"8080": 8080}}, "validation_error")
    request_error("create_container", {"image": os.environ["FM_IMAGE"], "volumes": {os.environ["FM_OUTSIDE"]: "/data"}}, "validation_error")
    request_error("get_container_status", {"container_id": "no-such-flow"}, "container_not_found_error")
    err = request_error("no_such_event", {}, "validation_error")
    check(err["details"].get("code") == "FM_UNKNOWN_EVENT", "unknown event: %r" % err)

    # create_container with the seed's shapes: volumes {host: container} (read-only), environment, command.
    start = mark()
    created = request(
        "create_container",
        {
            "image": os.environ["FM_IMAGE"],
            "name": "kawa-%d" % os.getpid(),
            "environment": {"GREETING": "hello"},
            "volumes": {os.environ["FM_DATA"]: "/data"},
            "code_path": os.environ["FM_CODE_V1"],
        },
        "container_created",
        timeout=90,
    )
    cid = created["container_id"]
    for key in ("name", "image", "socket_path", "ports"):
        check(key in created, "container_created has no %s: %r" % (key, created))
    check(created["status"] == "created", "container_created status: %r" % created)
    expect("activity_log", lambda d: d.get("container_id") == cid and d.get("activity_type") == "container_created", since=start)
    changed = expect("status_changed", is_for(cid), since=start)
    check(changed["new_state"] == "running" and isinstance(changed["timestamp"], (int, float)), "status_changed: %r" % changed)

    # get_container_status until the flow is connected.
    deadline = time.monotonic() + 30
    while True:
        status = request("get_container_status", {"container_id": cid}, "container_status", kawaflow_status(cid))
        if status["socket_connected"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    check(status["socket_connected"] is True, "flow never connected: %r" % status)
    check(status["state"] == "running" and status["health"] in ("healthy", "starting"), "status: %r" % status)
    check(status["uptime"] is None or status["uptime"].count(":") == 2, "uptime H:MM:SS: %r" % status)
    for key in ("last_communication", "resource_usage"):
        check(key in status, "container_status has no %s" % key)

    # send_message with message {command, data}; the flow's own message comes back as message_received.
    start = mark()
    sent = request("send_message", {"container_id": cid, "message": {"command": "echo", "data": {"x": 1}}}, "message_sent")
    check(sent["status"] == "sent" and sent["message"] == {"command": "echo", "data": {"x": 1}}, "message_sent: %r" % sent)
    check(sent["reply"]["version"] == 1, "reply: %r" % sent)
    expect("activity_log", lambda d: d.get("activity_type") == "message_sent", since=start)
    start = mark()
    request("send_message", {"container_id": cid, "message": {"command": "emit", "data": {"event": "progress", "payload": {"done": 3}}}}, "message_sent")
    got = expect("message_received", is_for(cid), since=start)
    check(got["message"] == {"command": "progress", "data": {"done": 3}}, "message_received: %r" % got)

    listed = request("list_containers", {}, "container_list")
    mine = [c for c in listed["containers"] if c["id"] == cid]
    check(listed["count"] == len(listed["containers"]) and len(mine) == 1, "container_list: %r" % listed)
    for key in ("name", "status", "image", "created", "socket_path", "ports"):
        check(key in mine[0], "container_list entry has no %s" % key)

    # stop, start, restart, each with its reply and status_changed.
    start = mark()
    check(request("stop_container", {"container_id": cid}, "container_stopped", is_for(cid))["status"] == "stopped", "stopped")
    expect("status_changed", lambda d: d.get("container_id") == cid and d["new_state"] == "stopped", since=start)
    expect("activity_log", lambda d: d.get("activity_type") == "container_stopped", since=start)
    start = mark()
    check(request("start_container", {"container_id": cid}, "container_started", is_for(cid))["status"] == "running", "started")
    expect("status_changed", lambda d: d.get("container_id") == cid and d["new_state"] == "running", since=start)
    check(request("restart_container", {"container_id": cid}, "container_restarted", is_for(cid), timeout=60)["status"] == "running", "restarted")

    # update_container: new code, the flow answers with version 2.
    start = mark()
    updated = request("update_container", {"container_id": cid, "code_path": os.environ["FM_CODE_V2"]}, "container_updated", is_for(cid), timeout=90)
    check(updated["status"] == "updated" and updated["code_path"] == os.environ["FM_CODE_V2"], "container_updated: %r" % updated)
    expect("activity_log", lambda d: d.get("activity_type") == "container_updated", since=start)
    sent = request("send_message", {"container_id": cid, "message": {"command": "echo", "data": None}}, "message_sent")
    check(sent["reply"]["version"] == 2, "after the update: %r" % sent)

    # Resource monitoring: thresholds, the periodic status push, an alert, the usage history.
    thresholds = request("get_resource_thresholds", {}, "resource_thresholds")["thresholds"]
    check(thresholds["cpu_percent"] == 80 and thresholds["memory_percent"] == 85, "default thresholds: %r" % thresholds)
    updated = request("set_resource_thresholds", {"container_id": cid, "thresholds": {"memory_bytes": 1}}, "resource_thresholds_updated")
    check(updated["thresholds"]["memory_bytes"] == 1, "resource_thresholds_updated: %r" % updated)
    request_error("set_resource_thresholds", {"thresholds": {"bogus": 1}}, "validation_error")
    start = mark()
    check(request("enable_resource_monitoring", {"interval_ms": 500}, "resource_monitoring_enabled")["enabled"] is True, "enabled")
    update = expect("container_status_update", is_for(cid), since=start)
    for key in ("state", "health", "socket_connected", "uptime", "resource_usage"):
        check(key in update["status"], "container_status_update has no %s: %r" % (key, update))
    alert = expect("resource_alert", is_for(cid), since=start)
    check(alert["resource_type"] == "memory_bytes" and alert["current_value"] > alert["threshold"] == 1, "resource_alert: %r" % alert)
    history = request("get_resource_usage_history", {"container_id": cid, "limit": 5}, "resource_usage_history")
    check(len(history["history"]) >= 1 and history["history"][-1]["memory_bytes"] > 0, "resource_usage_history: %r" % history)
    check(request("disable_resource_monitoring", {}, "resource_monitoring_disabled")["enabled"] is False, "disabled")

    # Health checks: a command in the container, then a ping over the flow's socket.
    default = request("get_default_health_config", {}, "default_health_config")["config"]
    check(default["enabled"] is False, "default health config: %r" % default)
    check(request("set_default_health_config", {"config": {"enabled": False, "interval": 60}}, "default_health_config_set")["config"]["interval"] == 60, "default set")
    request_error("set_health_check_config", {"container_id": cid, "config": {"check_type": "http", "port": 8080}}, "validation_error")
    cfg = {"check_type": "command", "command": ["true"], "interval": 1, "timeout": 10, "retries": 1, "start_period": 0}
    check(request("set_health_check_config", {"container_id": cid, "config": cfg}, "health_check_config_set")["container_id"] == cid, "config set")
    deadline = time.monotonic() + 30
    while True:
        hist = request("get_health_status_history", {"container_id": cid}, "health_status_history")
        if hist["health"] == "healthy" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    check(hist["health"] == "healthy" and hist["history"][-1]["success"] is True, "health: %r" % hist)
    got = request("get_health_check_config", {"container_id": cid}, "health_check_config")
    check(got["config"]["check_type"] == "command", "health_check_config: %r" % got)
    start = mark()
    request("set_health_check_config", {"container_id": cid, "config": dict(cfg, command=["false"])}, "health_check_config_set")
    warning = expect("container_health_warning", is_for(cid), since=start)
    check(warning["health"] == "unhealthy", "container_health_warning: %r" % warning)
    expect("activity_log", lambda d: d.get("activity_type") == "health_warning", since=start)
    request("set_health_check_config", {"container_id": cid, "config": {"check_type": "socket", "interval": 1, "retries": 1, "start_period": 0}}, "health_check_config_set")
    deadline = time.monotonic() + 30
    while True:
        status = request("get_container_status", {"container_id": cid}, "container_status", kawaflow_status(cid))
        if status["health"] == "healthy" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    check(status["health"] == "healthy", "socket health check: %r" % status)
    request("set_health_check_config", {"container_id": cid, "config": {"enabled": False}}, "health_check_config_set")
    states = [e["state"] for e in request("get_status_history", {"container_id": cid, "limit": 100}, "status_history")["history"]]
    check("stopped" in states and states[-1] == "running", "status_history: %r" % states)

    # A crash: container_crashed with its exit code and the flow's last output.
    start = mark()
    request("send_message", {"container_id": cid, "message": {"command": "crash", "data": None}}, "message_sent")
    crashed = expect("container_crashed", is_for(cid), since=start)
    check(crashed["exit_code"] == 3, "container_crashed: %r" % crashed)
    check("about to crash" in crashed["crash_details"]["logs"], "crash logs: %r" % crashed)
    expect("activity_log", lambda d: d.get("activity_type") == "container_crash", since=start)
    request_error("send_message", {"container_id": cid, "message": {"command": "echo", "data": 1}, "timeout_ms": 300}, "socket_connection_error")

    start = mark()
    check(request("delete_container", {"container_id": cid}, "container_deleted", is_for(cid))["status"] == "deleted", "deleted")
    expect("activity_log", lambda d: d.get("activity_type") == "container_deleted", since=start)
    request_error("get_container_status", {"container_id": cid}, "container_not_found_error")
    sio.disconnect()
    print("kawaflow client: every check passed (%d events received)" % len(received))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - any failure fails the run, with its message
        print("kawaflow client: FAILED: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        try:
            sio.disconnect()
        except Exception:  # noqa: BLE001
            pass
        sys.exit(1)

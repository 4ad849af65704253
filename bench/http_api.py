"""Benchmark: the running server (``jikimi serve --workers N``) under a bounded loopback load, same run.

    .venv/bin/python bench/http_api.py                      # SQLite, 2 workers, 16 connections, 10 s each
    .venv/bin/python bench/http_api.py --db postgresql      # the same on PostgreSQL (127.0.0.1:5432)
    .venv/bin/python bench/http_api.py --workers 1 --seconds 5

The load is wrk (Debian's package: ``apt-get install -y wrk``; this script installs it when run as
root) with a Lua script per scenario, on the same machine:

- ``healthz``: the same server's ``GET /healthz`` (a query of the schema revision) — the ceiling;
- ``gated_read``: ``POST /v1/subjects/{id}/read`` of two items for membership, a random subject of
  the demo per request, a handler's bearer token (gate, access log, decrypt);
- ``hand_read``: the same request to a minimal FastAPI app doing that database work by hand
  (``bench/_http_hand.py``: token by digest, one log row, one select, decrypt), on the same
  database, key and server stack with the same workers — the baseline;
- ``collect``: ``POST /v1/subjects`` in the ``support`` context (name and e-mail, unique per request);
- ``console``: ``GET /console/`` (the officer's dashboard) with a signed-in session cookie.

The database is the demo's (``jikimi demo``), kept under var/bench/http-<db>/ (``--rebuild`` to make
it again). Prints one JSON line per scenario, then one summary line with the targets:
``ratio_vs_healthz`` is gated read req/s over /healthz req/s (≥ 0.5), ``time_ratio_vs_hand`` the
gated read's time per request over the hand app's (≤ 1.5).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common as common

ROOT = common.ROOT
JIKIMI = ROOT / ".venv" / "bin" / "jikimi"
PYTHON = ROOT / ".venv" / "bin" / "python"

DONE = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '\\nJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
    .. '"max_us": %d, "non_2xx": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.errors.status, errors))
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: sudo apt-get install -y wrk")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database(kind: str, subjects: int, rebuild: bool) -> tuple[str, Path]:
    """The demo database for ``kind`` and its directory (key file, tokens), built when missing."""
    where = common.BENCH_DIR / f"http-{kind}"
    url = (
        f"sqlite:///{where / 'demo.db'}" if kind == "sqlite" else common.bench_url(kind, "jikimi_bench_http")
    )
    marker = where / f"demo-{subjects}.ok"
    if marker.exists() and not rebuild:
        return url, where
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    if kind != "sqlite":
        common.drop_database(url)
    subprocess.run(
        [
            str(JIKIMI),
            "demo",
            "--policy",
            str(common.POLICY),
            "--db",
            url,
            "--key-file",
            str(where / "master.key"),
            "--tokens",
            str(where / "tokens.json"),
            "--subjects",
            str(subjects),
        ],
        check=True,
        capture_output=True,
    )
    marker.write_text("ok")
    return url, where


def start(argv: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    process = subprocess.Popen(argv, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server stopped: see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                time.sleep(1.0)  # every worker up (each answers /healthz once it is)
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    sys.exit(f"the server did not answer within 120 s: see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def readable_subjects(port: int, token: str, candidates: list[str]) -> list[str]:
    """The candidates a membership read of name and e-mail is allowed for (members, not guests)."""
    import httpx

    found = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        for sid in candidates:
            answer = client.post(
                f"/v1/subjects/{sid}/read",
                json={"items": ["name", "email"], "purpose": "membership"},
                headers={"Authorization": f"Bearer {token}"},
            )
            if answer.status_code == 200:
                found.append(sid)
    return found


def console_cookie(port: int, where: Path) -> str:
    """Sign the demo's officer in to the console (password, then the TOTP code): its session cookie."""
    import re

    import httpx

    from jikimi.signin import totp

    state = json.loads((where / "tokens.json").read_text(encoding="utf-8"))
    officer = state["handlers"]["demo-admin"]
    csrf = re.compile(r'name="csrf" value="([^"]+)"')
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10, follow_redirects=False) as client:
        form = client.get("/console/sign-in")
        client.post(
            "/console/sign-in",
            data={"csrf": csrf.search(form.text)[1], "login": "demo-admin", "password": officer["password"]},  # type: ignore[index]
        )
        code_form = client.get("/console/sign-in/code")
        from datetime import UTC, datetime

        code = totp.code_at(totp.from_base32(officer["totp"]), datetime.now(UTC))
        done = client.post(
            "/console/sign-in/code", data={"csrf": csrf.search(code_form.text)[1], "code": code}
        )  # type: ignore[index]
        if done.status_code != 303:
            sys.exit(f"console sign-in failed: {done.status_code}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def lua_read(token: str, subjects: list[str]) -> str:
    ids = ", ".join(f'"{sid}"' for sid in subjects)
    return (
        f"""
local ids = {{{ids}}}
local headers = {{["Authorization"] = "Bearer {token}", ["Content-Type"] = "application/json"}}
local body = '{{"items": ["name", "email"], "purpose": "membership"}}'
math.randomseed(os.time())
request = function()
  return wrk.format("POST", "/v1/subjects/" .. ids[math.random(#ids)] .. "/read", headers, body)
end
"""
        + DONE
    )


def lua_collect(token: str) -> str:
    return (
        f"""
local headers = {{["Authorization"] = "Bearer {token}", ["Content-Type"] = "application/json"}}
local counter = 0
local stamp = tostring(os.time()) .. tostring(math.random(100000, 999999))
setup = function(thread) counter = counter + 1; thread:set("me", counter) end
init = function(args) n = 0 end
request = function()
  n = n + 1
  local email = "bench." .. stamp .. "." .. me .. "." .. n .. "@example.com"
  local body = '{{"context": "support", "data": {{"name": "김벤치", "email": "' .. email .. '"}}}}'
  return wrk.format("POST", "/v1/subjects", headers, body)
end
"""
        + DONE
    )


def lua_get(path: str, cookie: str | None = None) -> str:
    header = f'wrk.headers["Cookie"] = "{cookie}"\n' if cookie else ""
    return f'wrk.path = "{path}"\n' + header + DONE


def run_wrk(
    wrk: str, port: int, script: str, seconds: int, connections: int, scratch: Path, name: str
) -> dict[str, Any]:
    lua = scratch / f"{name}.lua"
    lua.write_text(script, encoding="utf-8")
    out = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(lua), f"http://127.0.0.1:{port}/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("JSON "))
    raw = json.loads(line[5:])
    seconds_run = raw["duration_us"] / 1e6
    return {
        "req_per_s": round(raw["requests"] / seconds_run),
        "requests": raw["requests"],
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "non_2xx": raw["non_2xx"],
        "socket_errors": raw["socket_errors"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, default=2, help="server workers (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="open connections (default 16)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each load (default 10)")
    parser.add_argument("--subjects", type=int, default=1000, help="demo subjects (default 1000)")
    parser.add_argument("--threads", type=int, default=None, help="the server's --threads (default: its own)")
    parser.add_argument("--only", nargs="*", help="scenarios to run (default: all)")
    parser.add_argument("--rebuild", action="store_true", help="make the demo database again")
    args = parser.parse_args()

    wrk = ensure_wrk()
    url, where = database(args.db, args.subjects, args.rebuild)
    state = json.loads((where / "tokens.json").read_text(encoding="utf-8"))
    token = state["handlers"]["demo-cs"]["token"]
    env = os.environ | {
        "JIKIMI_DB_URL": url,
        "JIKIMI_POLICY": str(common.POLICY),
        "JIKIMI_KEY_FILE": str(where / "master.key"),
    }
    env.pop("JIKIMI_MASTER_KEY", None)
    ours, hand = free_port(), free_port()
    scratch = Path(tempfile.mkdtemp(prefix="jikimi-http-bench-"))
    server = start(
        [str(JIKIMI), "serve", "--policy", str(common.POLICY), "--db", url,
         "--key-file", str(where / "master.key"), "--port", str(ours), "--workers", str(args.workers),
         *(["--threads", str(args.threads)] if args.threads else [])],
        env, ours, scratch / "serve.log",
    )  # fmt: skip
    baseline = start(
        [str(PYTHON), "-m", "uvicorn", "--factory", "_http_hand:app", "--app-dir", str(ROOT / "bench"),
         "--port", str(hand), "--workers", str(args.workers), "--no-server-header"],
        env, hand, scratch / "hand.log",
    )  # fmt: skip
    try:
        from sqlalchemy import select

        from jikimi.store.engine import make_engine
        from jikimi.store.tables import subjects

        engine = make_engine(url)
        with engine.connect() as conn:
            candidates = [r[0] for r in conn.execute(select(subjects.c.id).limit(400))]
        engine.dispose()
        readable = readable_subjects(ours, token, candidates)
        scenarios = {
            "healthz": (ours, lua_get("/healthz")),
            "gated_read": (ours, lua_read(token, readable)),
            "hand_read": (hand, lua_read(token, readable)),
            "collect": (ours, lua_collect(state["handlers"]["demo-admin"]["token"])),
            "console": (ours, lua_get("/console/", console_cookie(ours, where))),
        }
        chosen = args.only or list(scenarios)
        results: dict[str, dict[str, Any]] = {}
        for name in chosen:
            port, script = scenarios[name]
            run_wrk(wrk, port, script, 2, args.connections, scratch, name + "-warm")  # warm-up
            results[name] = run_wrk(wrk, port, script, args.seconds, args.connections, scratch, name)
            common.emit(
                {
                    "bench": "http_api",
                    "scenario": name,
                    "db": args.db,
                    "workers": args.workers,
                    "connections": args.connections,
                    **results[name],
                    "machine": common.machine(),
                }
            )
        read, health, by_hand = (results.get(k) for k in ("gated_read", "healthz", "hand_read"))
        summary: dict[str, Any] = {
            "bench": "http_api",
            "scenario": "summary",
            "db": args.db,
            "workers": args.workers,
        }
        if read:
            target = 2000 if args.db == "sqlite" else 1500
            summary |= {"gated_read_req_per_s": read["req_per_s"], "gated_read_p99_ms": read["p99_ms"]}
            met: dict[str, bool] = {"req_per_s": read["req_per_s"] >= target, "p99": read["p99_ms"] < 50}
            if health:
                summary["ratio_vs_healthz"] = round(read["req_per_s"] / health["req_per_s"], 2)
                met["ratio_vs_healthz"] = summary["ratio_vs_healthz"] >= 0.5
            if by_hand:
                summary["time_ratio_vs_hand"] = round(by_hand["req_per_s"] / read["req_per_s"], 2)
                met["time_ratio_vs_hand"] = summary["time_ratio_vs_hand"] <= 1.5
            summary |= {
                "targets": {"req_per_s_min": target, "p99_ms_max": 50, "ratio_vs_healthz_min": 0.5,
                            "time_ratio_vs_hand_max": 1.5},
                "met": met,
            }  # fmt: skip
        common.emit(summary | {"machine": common.machine()})
    finally:
        stop(server)
        stop(baseline)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

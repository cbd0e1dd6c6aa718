"""Fails when a statement the route handlers sent during the tests would pin an RDS Proxy session.

The tests run with MARKETPLACE_STATEMENT_LOG=<dir> (tests/src/statement_log.rs): PostgreSQL logs every
statement there as csvlog, the handlers' connections are named `marketplace-handlers`, and requests.jsonl
holds each request's test database, route function and time window. This reads them and reports, by route,
every handlers' statement that pins a session according to AWS
(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-pinning.html): SET and set_config,
PREPARE / EXECUTE / DEALLOCATE / DISCARD and named prepared statements, temporary tables, sequences and
views, cursors (DECLARE), LISTEN, LOAD, sequence functions (nextval, setval), session-level advisory locks,
and any statement over 16,384 bytes.

    python3 scripts/check-pinning.py <dir>

It also prints, by route, the statements (round trips through the proxy, `BEGIN` and `COMMIT` included) one
request sent: counted over the requests no other request of the same test database overlapped, so that every
statement in a request's time window is that request's. A report, not a check.

The generated listing and search statements are also held under the size by a unit test over every shape
they take (shared/catalog/src/browse/listing/snapshots.rs); this check sees the ones the tests sent.
"""
import csv
import json
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

HANDLERS = "marketplace-handlers"
MAX_STATEMENT_BYTES = 16_384
# csvlog columns (PostgreSQL 15): the ones read here.
LOG_TIME, DATABASE, MESSAGE, APPLICATION = 0, 2, 13, 22

CAUSES = [
    ("SET command", re.compile(r"^\s*(SET|RESET)\b", re.I)),
    ("set_config()", re.compile(r"\bset_config\s*\(", re.I)),
    ("prepared statement command", re.compile(r"^\s*(PREPARE|EXECUTE|DEALLOCATE|DISCARD)\b", re.I)),
    ("temporary object", re.compile(r"\bCREATE\s+(GLOBAL\s+|LOCAL\s+)?(TEMP|TEMPORARY)\b", re.I)),
    ("cursor", re.compile(r"^\s*DECLARE\b", re.I)),
    ("LISTEN", re.compile(r"^\s*LISTEN\b", re.I)),
    ("LOAD", re.compile(r"^\s*LOAD\b", re.I)),
    ("sequence function", re.compile(r"\b(nextval|setval)\s*\(", re.I)),
    ("session advisory lock", re.compile(r"\bpg_(try_)?advisory_lock(_shared)?\s*\(", re.I)),
]
STATEMENT = re.compile(r"^(statement|execute ([^:]+)): (.*)$", re.S)


def log_time(text):
    return datetime.strptime(text.replace(" UTC", "+0000"), "%Y-%m-%d %H:%M:%S.%f%z")


def requests(directory):
    by_database = {}
    path = directory / "requests.jsonl"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                request = json.loads(line)
            except json.JSONDecodeError:
                continue
            by_database.setdefault(request["database"], []).append(
                (
                    datetime.fromisoformat(request["start"].replace("Z", "+00:00")),
                    datetime.fromisoformat(request["end"].replace("Z", "+00:00")),
                    request["route"],
                )
            )
    return by_database


def routes_at(windows, at):
    slack = timedelta(milliseconds=5)
    found = sorted({route for start, end, route in windows if start - slack <= at <= end + slack})
    return ", ".join(found) if found else "a request over HTTP (soak or black-box test)"


def check(directory):
    windows = requests(directory)
    statements, findings, largest = 0, {}, 0
    handler_times = {}
    for log in sorted(directory.glob("statements-*.csv")):
        with log.open(newline="", encoding="utf-8", errors="replace") as file:
            for row in csv.reader(file):
                if len(row) <= APPLICATION or row[APPLICATION] != HANDLERS:
                    continue
                match = STATEMENT.match(row[MESSAGE])
                if not match:
                    continue
                statements += 1
                handler_times.setdefault(row[DATABASE], []).append(log_time(row[LOG_TIME]))
                name, text = match.group(2), match.group(3)
                causes = [cause for cause, pattern in CAUSES if pattern.search(text)]
                if name is not None and name.strip() != "<unnamed>":
                    causes.append(f"named prepared statement {name.strip()}")
                size = len(text.encode("utf-8"))
                largest = max(largest, size)
                if size > MAX_STATEMENT_BYTES:
                    causes.append(f"{size} bytes, over {MAX_STATEMENT_BYTES}")
                if causes:
                    route = routes_at(windows.get(row[DATABASE], []), log_time(row[LOG_TIME]))
                    key = (route, "; ".join(causes), " ".join(text.split())[:160])
                    findings[key] = findings.get(key, 0) + 1
    for (route, causes, text), count in sorted(findings.items()):
        print(f"PINS ({causes}) in {route}, {count}x: {text}", file=sys.stderr)
    if statements == 0:
        print(f"{directory}: no handlers' statement was logged: was MARKETPLACE_STATEMENT_LOG set?", file=sys.stderr)
        return 1
    print(f"{directory}: {statements} statements of the route handlers read, the largest {largest} bytes; "
          f"{sum(findings.values())} would pin an RDS Proxy session")
    print_round_trips(windows, handler_times)
    return 1 if findings else 0


def print_round_trips(windows, handler_times):
    """Statements per request by route, over requests with no other request of their database nearby."""
    # csvlog times are in milliseconds (truncated): a request's statements are logged at most 1 ms before its
    # start, and requests 2 ms apart cannot share a logged statement.
    apart = timedelta(milliseconds=2)
    counts = {}
    for database, requests_of_db in windows.items():
        times = sorted(handler_times.get(database, []))
        ordered = sorted(requests_of_db)
        for i, (start, end, route) in enumerate(ordered):
            before = ordered[i - 1][1] if i > 0 else None
            after = ordered[i + 1][0] if i + 1 < len(ordered) else None
            if (before and before + apart > start) or (after and after - apart < end):
                continue
            low, high = start - timedelta(milliseconds=1), end
            counts.setdefault(route, []).append(sum(1 for t in times if low <= t <= high))
    if not counts:
        return
    print("statements per request (round trips), by route, over requests no other overlapped:")
    print(f"  {'route':<22} {'requests':>8} {'median':>6} {'max':>4}")
    for route, values in sorted(counts.items()):
        values.sort()
        print(f"  {route:<22} {len(values):>8} {values[len(values) // 2]:>6} {values[-1]:>4}")


if __name__ == "__main__":
    sys.exit(check(Path(sys.argv[1])))

#!/usr/bin/env python3
"""Median sign-in time against a release `steward serve` (fresh SQLite with demo data).

Run with `./dev bench`. Sign-in is dominated by one Argon2id verification (19 MiB, 2 passes),
which is deliberate; this shows what it costs on the machine at hand."""
import json, re, statistics, subprocess, sys, tempfile, time, urllib.request

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/steward"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 50
tmp = tempfile.mkdtemp()
proc = subprocess.Popen([binary, "serve", "--addr", "127.0.0.1:0", "--demo", "true"],
                        env={"DATABASE_URL": f"sqlite://{tmp}/b.db?mode=rwc", "RUST_LOG": "info", "PATH": "/usr/bin"},
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
address, admin = None, None
for line in proc.stdout:
    m = re.search(r'role=ADMINISTRATOR email=(\S+)', line)
    if m: admin = m.group(1)
    m = re.search(r'serving on (http://\S+)', line)
    if m:
        address = m.group(1); break
query = "mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) { account { email } } }"
def sign_in(password):
    body = json.dumps({"query": query, "variables": {"e": admin, "p": password}}).encode()
    req = urllib.request.Request(address + "/graphql", data=body, headers={"content-type": "application/json"})
    t = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        out = json.load(r)
    return time.perf_counter() - t, out
sign_in("steward-demo-2026")  # warm up
times = []
for _ in range(runs):
    dt, out = sign_in("steward-demo-2026")
    assert "errors" not in out, out
    times.append(dt * 1000)
print(f"sign-in (success), {runs} runs: median {statistics.median(times):.1f} ms, "
      f"min {min(times):.1f}, max {max(times):.1f}")
proc.terminate(); proc.wait()

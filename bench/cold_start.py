"""Cold start: time from spawning a server to its first answered HTTP request, polled the same way
for every server (a raw socket, 0.5 ms between tries), so Liaison, nginx and Prism compare fairly.
Only a 200 counts as answered. A run fails (exit 1, saying why) when the server exits before
answering 200 or has not answered 200 within the time limit (COLD_START_LIMIT seconds, default 30),
naming the last status it did answer.

  cold_start.py BINARY RUNS PATH [ARGS...]            liaison sandbox on a fixed port
  cold_start.py --command PORT PATH RUNS -- CMD...    any server; {port} in CMD is replaced
"""
import os
import signal
import socket
import subprocess
import sys
import time


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the whole group: some servers fork workers
    except ProcessLookupError:
        pass
    proc.wait()


def measure(command, port, path, runs, header="", limit=30.0):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        last = "no answer"
        while True:
            if proc.poll() is not None:
                sys.exit(f"cold_start: {command[0]} exited with status {proc.returncode} before answering 200 "
                         f"to GET {path} (last: {last})")
            if time.perf_counter() - start > limit:
                stop(proc)
                sys.exit(f"cold_start: {command[0]} did not answer 200 to GET {path} within {limit:.0f} s (last: {last})")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n{header}Connection: close\r\n\r\n".encode())
                    status = s.recv(12)
                    if status.startswith(b"HTTP/1.1 200") or status.startswith(b"HTTP/1.0 200"):
                        break
                    if status:
                        last = status.decode(errors="replace").strip()
            except OSError:
                pass
            time.sleep(0.0005)
        samples.append((time.perf_counter() - start) * 1000)
        stop(proc)
        time.sleep(0.2)  # let the port go
    samples.sort()
    return samples


limit = float(os.environ.get("COLD_START_LIMIT", "30"))
if sys.argv[1] == "--command":
    port, path, runs = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    command = [arg.replace("{port}", str(port)) for arg in sys.argv[sys.argv.index("--") + 1:]]
    header = os.environ.get("COLD_START_HEADER", "")
    samples = measure(command, port, path, runs, header=f"{header}\r\n" if header else "", limit=limit)
    label = os.path.basename(command[0])
else:
    binary, runs, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    extra = sys.argv[4:]
    port = 18700
    samples = measure([binary, "sandbox", "--listen", f"127.0.0.1:{port}", "--log-level", "error", *extra], port,
                      path, runs, limit=limit)
    label = f"{path} {' '.join(extra)}"
print(f"{label}: median {samples[len(samples) // 2]:.1f} ms, min {samples[0]:.1f} ms, max {samples[-1]:.1f} ms "
      f"({len(samples)} runs, each to the first 200)")

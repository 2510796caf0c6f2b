"""Differential harness: the real LiteLLM proxy and Switchboard on the same config (compat/config.yaml),
in front of the same fake backends (fakes.py), get the same corpus (cases.py); what each answered, and
what the backends received from each, is compared aspect by aspect (observe.py). Every difference must
be listed in compat/deliberate.yaml (and its README row must exist), or the run fails.

Usage: python compat/harness.py [--jar target/switchboard.jar] [--only GLOB] [--no-doc]
Writes docs/compatibility.md (unless --only or --no-doc) and compat/.out/results.json.
"""
import argparse
import fnmatch
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, ".out")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "guard"))
os.environ.setdefault("COMPAT_NET_LOG", os.path.join(OUT, "network-attempts.log"))
import sitecustomize  # noqa: E402,F401  (the network guard, for this process too)

import yaml  # noqa: E402

import cases as corpus_mod  # noqa: E402
import fakes  # noqa: E402
import observe  # noqa: E402

KEY = "sk-compat"
LITELLM, SWITCHBOARD = "litellm", "switchboard"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_ready(name, port, proc, log, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"compat: FAIL: {name} exited ({proc.returncode}) before it was ready; see {log}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health/liveliness")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit(f"compat: FAIL: {name} not ready within {seconds} s; see {log}")


def send(port, req):
    headers = {"Content-Type": "application/json", "User-Agent": "compat-harness/1"}
    if req.get("auth", True):
        headers["Authorization"] = f"Bearer {KEY}"
    if req.get("raw") is not None:
        headers.pop("Content-Type")
        body = req["raw"]
    elif req.get("json") is not None:
        body = json.dumps(req["json"]).encode()
    else:
        body = None
        headers.pop("Content-Type")
    headers.update(req.get("headers") or {})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.putrequest(req["method"], req["path"], skip_accept_encoding=True)
    for k, v in headers.items():
        c.putheader(k, v)
    if body is not None:
        c.putheader("Content-Length", str(len(body)))
    c.endheaders()
    if body:
        c.send(body)
    r = c.getresponse()
    try:
        raw = r.read()
    except (http.client.IncompleteRead, ConnectionError) as e:
        raw = getattr(e, "partial", b"")
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, raw


class Proxies:
    def __init__(self, jar):
        os.makedirs(OUT, exist_ok=True)
        self.recorder = fakes.Recorder()
        self.openai = fakes.serve(fakes.OpenAiHandler, _Tagged(self.recorder, "openai"))
        self.ollama = fakes.serve(fakes.OllamaHandler, _Tagged(self.recorder, "ollama"))
        env = dict(os.environ)
        down, down_ollama = free_port(), free_port()
        PORT_NAMES.update({self.openai.server_port: "OPENAI", self.ollama.server_port: "OLLAMA", down: "DOWN",
                           down_ollama: "DOWN_OLLAMA"})
        env.update({
            "COMPAT_OPENAI_BASE": f"http://127.0.0.1:{self.openai.server_port}/v1",
            "COMPAT_OLLAMA_BASE": f"http://127.0.0.1:{self.ollama.server_port}",
            "COMPAT_DOWN_BASE": f"http://127.0.0.1:{down}/v1",
            "COMPAT_DOWN_OLLAMA_BASE": f"http://127.0.0.1:{down_ollama}",
            # LiteLLM offline: the cost map from the package, no hub downloads; anything else is refused by
            # guard/sitecustomize.py and listed in network-attempts.log (the run then fails).
            "LITELLM_LOCAL_MODEL_COST_MAP": "True", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "LITELLM_MODE": "PRODUCTION", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
            "PYTHONPATH": os.path.join(HERE, "guard"), "COMPAT_NET_LOG": os.environ["COMPAT_NET_LOG"],
        })
        env.pop("LITELLM_MASTER_KEY", None)
        for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            env.pop(k, None)
        self.env = env
        os.environ.update({k: env[k] for k in env if k.startswith(("COMPAT_", "LITELLM_", "HF_", "NO_PROXY"))})
        cfg = os.path.join(HERE, "config.yaml")
        self.ports = {LITELLM: free_port(), SWITCHBOARD: free_port()}
        self.logs = {n: os.path.join(OUT, f"{n}.log") for n in self.ports}
        litellm_bin = os.path.join(os.path.dirname(sys.executable), "litellm")
        self.procs = {
            LITELLM: subprocess.Popen([litellm_bin, "--config", cfg, "--host", "127.0.0.1", "--port",
                                       str(self.ports[LITELLM]), "--num_workers", "1"],
                                      env=env, stdout=open(self.logs[LITELLM], "w"), stderr=subprocess.STDOUT,
                                      start_new_session=True),
            SWITCHBOARD: subprocess.Popen(["java", "-XX:+UseSerialGC", "-jar", jar, "--config", cfg, "--host",
                                           "127.0.0.1", "--port", str(self.ports[SWITCHBOARD])],
                                          env=env, stdout=open(self.logs[SWITCHBOARD], "w"), stderr=subprocess.STDOUT,
                                          start_new_session=True),
        }
        try:
            wait_ready(SWITCHBOARD, self.ports[SWITCHBOARD], self.procs[SWITCHBOARD], self.logs[SWITCHBOARD], 60)
            wait_ready(LITELLM, self.ports[LITELLM], self.procs[LITELLM], self.logs[LITELLM], 180)
        except SystemExit:
            self.stop()
            raise

    def base(self, name):
        return f"http://127.0.0.1:{self.ports[name]}"

    def stop(self):
        for p in self.procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


class _Tagged:
    def __init__(self, rec, server):
        self.rec, self.server = rec, server

    def add(self, item):
        item["server"] = self.server
        self.rec.add(item)


def observe_case(px, case, name):
    px.recorder.take()
    if "client" in case:
        try:
            out = case["client"](px.base(name), KEY)
        except Exception as e:  # a harness-level failure is itself an observation
            out = {"harness_error": f"{type(e).__name__}: {e}"[:120]}
        time.sleep(0.05)
        px.recorder.take()
        return {f"client.{k}": v for k, v in out.items()}
    try:
        status, headers, raw = send(px.ports[name], case["req"])
        out = observe.response_aspects(status, headers, raw)
    except OSError as e:
        out = {"transport_error": type(e).__name__}
    time.sleep(0.02)
    observe.backend_aspects(px.recorder.take(), out)
    return out


def load_allow():
    with open(os.path.join(HERE, "deliberate.yaml")) as f:
        return yaml.safe_load(f) or []


def readme_section():
    text = open(os.path.join(ROOT, "README.md")).read()
    start = text.find("## Deliberate differences from LiteLLM")
    end = text.find("\n## ", start + 5)
    return text[start:end if end > 0 else len(text)]


def classify(cid, aspect, allow, litellm_value=None, switchboard_value=None):
    """The first entry covering this difference. `only: litellm` (or `switchboard`) narrows an entry to
    the differences where only that side has a value."""
    for entry in allow:
        only = entry.get("only")
        if only == LITELLM and (litellm_value is None or switchboard_value is not None):
            continue
        if only == SWITCHBOARD and (switchboard_value is None or litellm_value is not None):
            continue
        if any(fnmatch.fnmatchcase(cid, g) for g in entry["cases"]) and \
                any(fnmatch.fnmatchcase(aspect, g) for g in entry["aspects"]):
            return entry["id"]
    return None


PORT_NAMES = {}  # port -> a name, so that docs/compatibility.md reads the same from one run to the next
STABLE = [(re.compile(r"\b[0-9a-f]{64}\b"), "<sha256>"),
          (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
          (re.compile(r"\d{4}-\d\d-\d\dT[0-9:.]+Z"), "<time>")]


def short(v, n=70):
    s = json.dumps(v) if not isinstance(v, str) else v
    for rx, repl in STABLE:
        s = rx.sub(repl, s)
    s = re.sub(r"127\.0\.0\.1:(\d+)", lambda m: "127.0.0.1:" + PORT_NAMES.get(int(m.group(1)), "PORT"), s)
    s = re.sub(r"/work/[^ ]*/compat/", "compat/", s)
    s = s.replace("|", "\\|").replace("\n", "\\n")
    return s if len(s) <= n else s[:n - 1] + "…"


def write_doc(results, allow, versions, elapsed):
    by_id = {e["id"]: e for e in allow}
    n_diff_cases = sum(1 for r in results if r["diffs"])
    n_headers = sum(1 for r in results if category(r) == "headers only")
    n_backend = sum(1 for r in results if category(r) == "backend request only")
    n_bug = sum(1 for r in results for d in r["diffs"] if not d["verdict"])
    kinds = {}
    for r in results:
        for d in r["diffs"]:
            kind = by_id[d["verdict"]].get("kind", "deliberate") if d["verdict"] else "undocumented"
            kinds.setdefault(kind, set()).add(r["id"])
    lines = ["# Compatibility with the LiteLLM proxy, measured", "",
             "Generated by `compat/run.sh` (compat/harness.py); do not edit by hand. The real LiteLLM proxy and "
             "Switchboard ran on the same config (`compat/config.yaml`) in front of the same fake backends "
             "(an OpenAI-compatible server and an Ollama server, `compat/fakes.py`, speaking SSE and NDJSON), and "
             "got the same requests. Compared after normalising ids and timestamps: status, error `type`/`code`/"
             "`param`/message prefix, response body leaves, the headers clients read, stream framing (`[DONE]`, "
             "usage chunk, error events), and what the backend received (path, headers, body, field by field). "
             "The `sdk.*` cases use the litellm SDK (`litellm_proxy/<name>`, as OpenHands does) and the openai "
             "SDK as clients.", "",
             f"Versions: {versions}. Run time {elapsed:.0f} s.", "",
             f"**{len(results)} cases: {len(results) - n_diff_cases} the same; {n_headers} different only in "
             f"response headers (`x-litellm-*`, `x-should-retry`); {n_backend} whose answers are the same but whose "
             f"backend request differs; {n_diff_cases - n_headers - n_backend} whose answers differ; "
             f"{sum(len(r['diffs']) for r in results)} differing aspects, {n_bug} of them undocumented.** "
             "Cases touched by each kind of difference: "
             + ", ".join(f"{k} {len(v)}" for k, v in sorted(kinds.items())) + ".", "",
             "Kinds: *deliberate* (Switchboard differs on purpose), *litellm-bug* (LiteLLM gets it wrong; "
             "Switchboard does what OpenAI does), *known-gap* (a Switchboard shortcoming, known, not fixed yet), "
             "*undocumented* (a bug: the run fails).", "",
             "A difference is *deliberate* when `compat/deliberate.yaml` lists it; each entry names its row in "
             "the README's \"Deliberate differences from LiteLLM\" (or docs/providers.md), where the reason is "
             "given. The harness fails on any other difference.", "",
             "## Deliberate differences found", "", "| id | kind | what | cases |", "|---|---|---|---|"]
    used = {}
    for r in results:
        for d in r["diffs"]:
            if d["verdict"]:
                used.setdefault(d["verdict"], set()).add(r["id"])
    for e in allow:
        n = len(used.get(e["id"], ()))
        issue = f" (LiteLLM {e['litellm_issue']})" if e.get("litellm_issue") else ""
        lines.append(f"| {e['id']} | {e.get('kind', 'deliberate')}{issue} | {e['title']} | {n} |")
    lines += ["", "## Cases", "", "| case | what | result |", "|---|---|---|"]
    for r in results:
        res = category(r)
        if r["diffs"]:
            res += ": " + ", ".join(sorted({d["verdict"] or "**BUG**" for d in r["diffs"]}))
        lines.append(f"| `{r['id']}` | {r['desc']} | {res} |")
    everywhere = {e["id"] for e in allow if e["cases"] == ["*"]}
    lines += ["", "## Differences in detail", "",
              f"Per case, at most {DETAIL_ROWS} aspects; the header differences of the entries that apply to every "
              f"case ({', '.join(sorted(everywhere))}) are left out here. `compat/.out/results.json` has everything.",
              "", "| case | aspect | LiteLLM | Switchboard | verdict |", "|---|---|---|---|---|"]
    for r in results:
        shown = [d for d in r["diffs"] if d["verdict"] not in everywhere or d["verdict"] is None]
        for d in shown[:DETAIL_ROWS]:
            lines.append(f"| `{r['id']}` | `{d['aspect']}` | {short(d[LITELLM])} | {short(d[SWITCHBOARD])} | "
                         f"{d['verdict'] or '**BUG**'} |")
        if len(shown) > DETAIL_ROWS:
            rest = sorted({d["verdict"] or "**BUG**" for d in shown[DETAIL_ROWS:]})
            lines.append(f"| `{r['id']}` | … {len(shown) - DETAIL_ROWS} more | | | {', '.join(rest)} |")
    lines += ["", "## Switchboard-only checks", ""]
    for c in results_checks:
        lines.append(f"- {'PASS' if c[1] else 'FAIL'}: {c[0]}")
    lines.append("")
    with open(os.path.join(ROOT, "docs", "compatibility.md"), "w") as f:
        f.write("\n".join(lines))


results_checks = []
DETAIL_ROWS = 8


def category(result):
    aspects = [d["aspect"] for d in result["diffs"]]
    if not aspects:
        return "same"
    if all(a.startswith("header.") for a in aspects):
        return "headers only"
    if all(a.startswith(("header.", "backend")) for a in aspects):
        return "backend request only"
    return "answer differs"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", default=os.path.join(ROOT, "target", "switchboard.jar"))
    ap.add_argument("--only", default=None, help="run only the cases whose id matches this glob")
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(args.jar):
        sys.exit(f"compat: FAIL: {args.jar} is missing (mvn -B -q package -DskipTests)")
    net_log = os.environ["COMPAT_NET_LOG"]
    os.makedirs(OUT, exist_ok=True)
    if os.path.exists(net_log):
        os.remove(net_log)
    allow = load_allow()
    readme = readme_section()
    providers_doc = open(os.path.join(ROOT, "docs", "providers.md")).read()
    bad = [e["id"] for e in allow if e["readme"] not in readme and e["readme"] not in providers_doc]
    if bad:
        sys.exit(f"compat: FAIL: deliberate.yaml entries whose README row is missing: {bad}")

    started = time.time()
    cases = corpus_mod.corpus()
    if args.only:
        cases = [c for c in cases if fnmatch.fnmatchcase(c["id"], args.only)]
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    px = Proxies(args.jar)
    results = []
    try:
        for case in cases:
            obs = {n: observe_case(px, case, n) for n in (LITELLM, SWITCHBOARD)}
            diffs = []
            for aspect in sorted(a for a in set(obs[LITELLM]) | set(obs[SWITCHBOARD]) if not a.startswith("info.")):
                a, b = obs[LITELLM].get(aspect), obs[SWITCHBOARD].get(aspect)
                if a != b:
                    diffs.append({"aspect": aspect, LITELLM: a, SWITCHBOARD: b,
                                  "verdict": classify(case["id"], aspect, allow, a, b)})
            results.append({"id": case["id"], "desc": case["desc"], "diffs": diffs, "observed": obs})
            mark = "same" if not diffs else ("deliberate" if all(d["verdict"] for d in diffs) else "BUG")
            print(f"{mark:10} {case['id']}", flush=True)
        # Switchboard-only: a request to a route it does not serve leaves a line in its log.
        time.sleep(0.2)
        sb_log = open(px.logs[SWITCHBOARD]).read()
        if any(c["id"] == "error.unknown-route.responses" for c in cases):
            results_checks.append(("an unknown route is logged (method, path, status, user agent): "
                                   "`POST /v1/nothing-here status=404 ... user_agent=compat-harness/1`",
                                   "POST /v1/nothing-here status=404" in sb_log and "compat-harness/1" in sb_log))
    finally:
        px.stop()
    elapsed = time.time() - started

    import importlib.metadata as md
    jar_version = subprocess.run(["java", "-jar", args.jar, "--version"], capture_output=True, text=True).stdout.strip()
    versions = (f"litellm {md.version('litellm')}, openai {md.version('openai')}, "
                f"{jar_version or 'switchboard'}, Python {sys.version.split()[0]}")
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    if not args.only and not args.no_doc:
        write_doc(results, allow, versions, elapsed)

    undocumented = [(r["id"], d) for r in results for d in r["diffs"] if not d["verdict"]]
    used = {d["verdict"] for r in results for d in r["diffs"] if d["verdict"]}
    unused = [e["id"] for e in allow if e["id"] not in used]
    n_diff = sum(1 for r in results if r["diffs"])
    print(f"\ncompat: {len(results)} cases, {len(results) - n_diff} same, {n_diff} different, "
          f"{len(undocumented)} undocumented differing aspects ({elapsed:.0f} s)")
    # The closing line CI reads: a case passes when every difference it shows is listed.
    print(f"compat: {len(results) - len({c for c, _ in undocumented})} passed, "
          f"{len({c for c, _ in undocumented})} failed")
    if unused and not args.only:
        print(f"compat: note: deliberate.yaml entries no case needed: {unused}")
    failed = False
    if os.path.exists(net_log) and open(net_log).read().strip():
        print("compat: FAIL: a process tried to leave this machine:\n" + open(net_log).read())
        failed = True
    for what, ok in results_checks:
        if not ok:
            print(f"compat: FAIL: {what}")
            failed = True
    for cid, d in undocumented:
        print(f"compat: UNDOCUMENTED {cid}: {d['aspect']}: litellm={short(d[LITELLM], 100)} "
              f"switchboard={short(d[SWITCHBOARD], 100)}")
    if undocumented:
        failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

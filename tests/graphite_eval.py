# SPDX-License-Identifier: MIT
"""Evaluates Graphite render expressions with Debian's graphite-web (the
functions Grafana's Graphite data source calls), in process, over a whisper
folder: no web server.

  /usr/bin/python3 graphite_eval.py --whisper-dir DIR --from EPOCH --until EPOCH
  stdin: a JSON list of targets
  stdout: JSON {target: {"series": [{"name", "start", "step", "values"}]}
                        or {"error": "..."}}

Run by the interpreter graphite-web is installed for (/usr/bin/python3);
tests call evaluate() below from any interpreter.
"""

import json
import os
import subprocess
import sys
import warnings

SYSTEM_PYTHON = "/usr/bin/python3"


def available(python=SYSTEM_PYTHON):
    try:
        return subprocess.run([python, "-c", "import graphite.render, django, pytz"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def evaluate(whisper_dir, targets, frm, until, python=SYSTEM_PYTHON):
    """{target: [series dicts]} or {target: {"error": ...}} (see above)."""
    p = subprocess.run([python, os.path.abspath(__file__), "--whisper-dir", whisper_dir,
                        "--from", str(int(frm)), "--until", str(int(until))],
                       input=json.dumps(targets).encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("graphite_eval failed: " + p.stderr.decode(errors="replace")[-3000:])
    return json.loads(p.stdout)


def main():
    import argparse
    import datetime
    ap = argparse.ArgumentParser()
    ap.add_argument("--whisper-dir", required=True)
    ap.add_argument("--from", dest="frm", type=int, required=True)
    ap.add_argument("--until", type=int, required=True)
    a = ap.parse_args()
    targets = json.load(sys.stdin)

    warnings.simplefilter("ignore")
    os.environ["DJANGO_SETTINGS_MODULE"] = "graphite.settings"
    import django
    from django.conf import settings
    settings.STANDARD_DIRS = [a.whisper_dir]
    settings.WHISPER_DIR = a.whisper_dir
    settings.STORAGE_FINDERS = ("graphite.finders.standard.StandardFinder",)
    settings.CLUSTER_SERVERS = []
    settings.REMOTE_PREFETCH_DATA = False
    django.setup()
    import pytz
    from graphite.render.evaluator import evaluateTarget

    tz = pytz.utc
    ctx = {"startTime": datetime.datetime.fromtimestamp(a.frm, tz),
           "endTime": datetime.datetime.fromtimestamp(a.until, tz),
           "now": datetime.datetime.fromtimestamp(a.until, tz),
           "localOnly": True, "data": [], "tzinfo": tz, "prefetched": {},
           "xFilesFactor": 0}
    out = {}
    for t in targets:
        try:
            series = evaluateTarget(dict(ctx, prefetched={}), t)
            out[t] = {"series": [{"name": s.name, "start": s.start, "step": s.step,
                                  "values": list(s)} for s in series]}
        except Exception as e:  # report, do not stop the other targets
            out[t] = {"error": "%s: %s" % (type(e).__name__, e)}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

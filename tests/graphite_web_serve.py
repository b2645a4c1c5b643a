#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Serves Debian's graphite-web (its Django application, graphite.wsgi's
setup) over HTTP on 127.0.0.1 for the tests, with settings of its own
instead of /etc/graphite/local_settings.py:

  /usr/bin/python3 graphite_web_serve.py --port P --state DIR
        [--whisper-dir DIR ...] [--cluster-server 127.0.0.1:P ...]

A backend reads whisper folders (--whisper-dir: one carbon-cache's); a
front reads other graphite-webs through CLUSTER_SERVERS (--cluster-server)
and merges what they answer (REMOTE_STORE_MERGE_RESULTS: a series several
backends hold is one series, the gaps of one copy filled from another).
Every cache is off (a query always sees the files as they are now), a
failing backend fails the query (STORE_FAIL_ON_ERROR) instead of giving a
partial answer, and carbonlink is not used: the whisper reader does not ask
a carbon-cache for points it has not written yet (the tests wait until the
caches have written what they query).

Run by the interpreter graphite-web is installed for (/usr/bin/python3).
Stops on SIGTERM. Prints "listening on 127.0.0.1:P" when it serves.
"""

import argparse
import os
import signal
import socketserver
import sys
import wsgiref.simple_server

SETTINGS = """# written by graphite_web_serve.py
SECRET_KEY = "collectd-mountstats-tests"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STORAGE_DIR = {state!r}
LOG_DIR = {log!r}
INDEX_FILE = {index!r}
WHISPER_DIR = {whisper0!r}
STANDARD_DIRS = {whisper!r}
CERES_DIR = {nothing!r}
RRD_DIR = {nothing!r}
CLUSTER_SERVERS = {cluster!r}
CARBONLINK_HOSTS = []
REMOTE_STORE_MERGE_RESULTS = True
STORE_FAIL_ON_ERROR = True
REMOTE_RETRY_DELAY = 0
FIND_TIMEOUT = 60.0
FETCH_TIMEOUT = 120.0
USE_WORKER_POOL = True
POOL_MAX_WORKERS = 8
FIND_CACHE_DURATION = 0
DEFAULT_CACHE_DURATION = 0
CACHES = {{"default": {{"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}}}
TAGDB = ""
LOG_RENDERING_PERFORMANCE = False
LOG_CACHE_PERFORMANCE = False
LOG_INFO_PERFORMANCE = False
DATABASES = {{"default": {{"NAME": {db!r}, "ENGINE": "django.db.backends.sqlite3",
                          "USER": "", "PASSWORD": "", "HOST": "", "PORT": ""}}}}
"""


class Server(socketserver.ThreadingMixIn, wsgiref.simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--state", required=True, help="a folder for settings and logs")
    ap.add_argument("--whisper-dir", action="append", default=[])
    ap.add_argument("--cluster-server", action="append", default=[])
    a = ap.parse_args()
    state = os.path.abspath(a.state)
    for d in ("log", "nothing"):
        os.makedirs(os.path.join(state, d), exist_ok=True)
    whisper = [os.path.abspath(w) for w in a.whisper_dir]
    mod = "graphite_web_serve_settings_%d" % a.port
    with open(os.path.join(state, mod + ".py"), "w") as f:
        f.write(SETTINGS.format(
            state=state + "/", log=os.path.join(state, "log") + "/",
            index=os.path.join(state, "index"),
            whisper0=(whisper[0] if whisper else os.path.join(state, "nothing")) + "/",
            whisper=[w + "/" for w in whisper], nothing=os.path.join(state, "nothing") + "/",
            cluster=a.cluster_server, db=os.path.join(state, "graphite.db")))
    sys.path.insert(0, state)
    os.environ["GRAPHITE_SETTINGS_MODULE"] = mod
    os.environ["DJANGO_SETTINGS_MODULE"] = "graphite.settings"
    import warnings
    warnings.simplefilter("ignore")
    from graphite.wsgi import application
    # graphite-web keeps a default user profile in its database (Debian:
    # graphite-manage migrate after installing); /metrics/find needs it.
    from django.core.management import call_command
    call_command("migrate", interactive=False, verbosity=0)
    # No carbonlink: graphite-web would ask a cache for every series it reads
    # (and log an exception per series without one); the tests read what the
    # caches have written.
    import graphite.readers.whisper as whisper_reader
    whisper_reader.merge_with_carbonlink = lambda metric, start, step, values, *a, **kw: values
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    httpd = wsgiref.simple_server.make_server("127.0.0.1", a.port, application,
                                              server_class=Server,
                                              handler_class=QuietHandler)
    print("listening on 127.0.0.1:%d" % a.port, flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()

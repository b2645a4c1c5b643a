#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks contrib/grafana/mountstats-dashboard.json against the metric paths
the plugin really produces through write_graphite.

The paths come from the types file and collectd-mountstats(5)'s naming rules
(<host>.mountstats-<mount>.<type>[-<type_instance>][.<ds>], no .<ds> for a
single-value type), or with --whisper-dir from a real run's whisper files
(tests/e2e_graphite.py does that with its own run).

Every target is parsed as a Graphite expression, after Grafana's variable
substitution twice over: every variable "All" (*), and one concrete host,
mount and op. Asserted for every target:
  - every metric path pattern matches at least one real path, including the
    paths applyByNode builds from its template;
  - counters (DERIVE data sources) are only drawn through perSecond (or
    nonNegativeDerivative), gauges never;
  - a cumulative time (rtt_ms, exec_ms, queue_ms) is only used as the
    dividend of divideSeries whose divisor is the same op's ops, both under
    perSecond: divideSeries(perSecond(X.rtt_ms), perSecond(X.ops)) per
    series (inside applyByNode), or divideSeries(sumSeries(perSecond(
    X.rtt_ms)), sumSeries(perSecond(X.ops))) across hosts, in a panel
    repeated per op so that two ops are never summed together;
  - no averageSeries of averages, no nfs_op_avg summed across series;
  - aliasByNode / groupByNode / applyByNode nodes exist in the path;
  - the variables host, mount, op exist and their queries find real nodes.
The checker is then shown to catch broken variants of the dashboard.

Python 3 standard library only. Last line: "N passed, M failed".
"""

import argparse
import copy
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DASHBOARD = os.path.join(ROOT, "contrib", "grafana", "mountstats-dashboard.json")
TYPES_DB = os.path.join(ROOT, "plugin", "mountstats.types.db")

NFS3_OPS = ("NULL GETATTR SETATTR LOOKUP ACCESS READLINK READ WRITE CREATE MKDIR "
            "SYMLINK MKNOD REMOVE RMDIR RENAME LINK READDIR READDIRPLUS FSSTAT "
            "FSINFO PATHCONF COMMIT").split()
NFS4_OPS = ("OPEN CLOSE LOCK LOCKT LOCKU RENEW SETCLIENTID SEQUENCE EXCHANGE_ID "
            "CREATE_SESSION DESTROY_SESSION LAYOUTGET GETDEVICEINFO SECINFO "
            "SERVER_CAPS DELEGRETURN TEST_STATEID FREE_STATEID READ_PLUS").split()
NFS2_OPS = ["3", "7"]
TRANSPORTS = ["tcp", "udp", "rdma", "local"]

# collectd-mountstats(5), METRICS: what the type_instance of each type is.
TYPE_INSTANCE = {
    "nfs_op": "op", "nfs_op_errors": "op", "nfs_op_avg": "op",
    "nfs_events_cache": None, "nfs_events_vfs": None, "nfs_events_file": None,
    "nfs_events_io": None, "nfs_events_pnfs": None,
    "nfs_bytes": None, "nfs_fscache": None, "nfs_iostat": None,
    "nfs_xprt": "xprt", "nfs_xprt_conn": "xprt", "nfs_xprt_slots": "xprt",
    "nfs_xprt_stall": "stall", "nfs_xprt_queue": "xprt",
    "nfs_xprt_rdma": "rdma", "nfs_xprt_rdma_copy": "rdma", "nfs_xprt_rdma_mr": "rdma",
}
# Types of collectd's own types.db that the plugin uses.
STOCK_TYPES = {"uptime": ("age", [("value", "GAUGE")]),
               "count": ("transports", [("value", "GAUGE")])}

COUNTER_FUNCS = {"perSecond", "nonNegativeDerivative", "derivative"}
AGGREGATES = {"sumSeries", "sum", "averageSeries", "avg", "maxSeries", "minSeries",
              "aggregate", "groupByNode", "groupByNodes", "sumSeriesWithWildcards",
              "averageSeriesWithWildcards", "multiplySeries", "diffSeries",
              "stddevSeries", "rangeOfSeries", "percentileOfSeries", "countSeries"}
TIME_DS = {"rtt_ms", "exec_ms", "queue_ms"}


# ---------------------------------------------------------------------------
# the metric paths the plugin produces

def read_types(path):
    """{type: [(ds, DERIVE|GAUGE|...)]} from a types.db file."""
    types = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, _, rest = line.partition(" ")
            dss = []
            for spec in rest.replace(",", " ").split():
                parts = spec.split(":")
                if len(parts) == 4:
                    dss.append((parts[0], parts[1]))
            types[name] = dss
    return types


def plugin_types(types_db):
    types = read_types(types_db)
    for t, (_, dss) in STOCK_TYPES.items():
        types[t] = dss
    return types


def sample_paths(types, hosts=("web1", "client-7_example_org"),
                 mounts=("srv-projects", "home", "mnt-with_space", "mnt-a_b~2")):
    """Paths (no write_graphite Prefix) for a few hosts and mounts, every op,
    every transport, every type of the types file."""
    paths = []
    for t, dss in types.items():
        if t in STOCK_TYPES:
            insts = [STOCK_TYPES[t][0]]
        else:
            kind = TYPE_INSTANCE.get(t, "?")
            insts = {"op": NFS3_OPS + NFS4_OPS + NFS2_OPS, "xprt": TRANSPORTS,
                     "rdma": ["rdma"], "stall": ["sysfs", "estimate"],
                     None: [None]}.get(kind)
            if insts is None:
                raise KeyError(t)
        for inst in insts:
            leaf = t if inst is None else "%s-%s" % (t, inst)
            for h in hosts:
                for m in mounts:
                    base = "%s.mountstats-%s.%s" % (h, m, leaf)
                    if len(dss) == 1:
                        paths.append(base)
                    else:
                        paths += ["%s.%s" % (base, ds) for ds, _ in dss]
    return paths


# ---------------------------------------------------------------------------
# Graphite expressions

class Call:
    def __init__(self, name, args):
        self.name, self.args = name, args

    def __repr__(self):
        return "%s(%s)" % (self.name, ", ".join(map(repr, self.args)))


class Path:
    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


class Literal:
    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return repr(self.value)


class ParseError(Exception):
    pass


def parse(text):
    pos = [0]

    def ws():
        while pos[0] < len(text) and text[pos[0]].isspace():
            pos[0] += 1

    def expr():
        ws()
        s = text[pos[0]:]
        if not s:
            raise ParseError("unexpected end in %r" % text)
        if s[0] in "'\"":
            end = s.find(s[0], 1)
            if end < 0:
                raise ParseError("unterminated string in %r" % text)
            pos[0] += end + 1
            return Literal(s[1:end])
        m = re.match(r"-?\d+(\.\d+)?(?=\s*[,)])", s)
        if m:
            pos[0] += m.end()
            return Literal(float(m.group(0)) if "." in m.group(0) else int(m.group(0)))
        m = re.match(r"(true|false)(?=\s*[,)])", s, re.I)
        if m:
            pos[0] += m.end()
            return Literal(m.group(1).lower() == "true")
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(", s)
        if m:
            pos[0] += m.end()
            args = []
            ws()
            if text[pos[0]:pos[0] + 1] == ")":
                pos[0] += 1
                return Call(m.group(1), args)
            while True:
                ws()
                kw = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)", text[pos[0]:])
                if kw:
                    pos[0] += kw.end()
                args.append(expr())
                ws()
                c = text[pos[0]:pos[0] + 1]
                pos[0] += 1
                if c == ")":
                    return Call(m.group(1), args)
                if c != ",":
                    raise ParseError("expected , or ) at %d in %r" % (pos[0] - 1, text))
        # a path expression: up to , or ) outside {} and []
        depth, i = 0, 0
        while i < len(s):
            c = s[i]
            if c in "{[":
                depth += 1
            elif c in "}]":
                depth -= 1
            elif depth == 0 and c in ",)":
                break
            elif c in "('\"":
                raise ParseError("unexpected %r in path at %d in %r" % (c, pos[0] + i, text))
            i += 1
        p = s[:i].strip()
        if not p:
            raise ParseError("empty argument at %d in %r" % (pos[0], text))
        pos[0] += i
        return Path(p)

    e = expr()
    ws()
    if pos[0] != len(text):
        raise ParseError("trailing text %r in %r" % (text[pos[0]:], text))
    return e


def glob_regex(pattern):
    """Graphite glob (one node per dot: *, ?, {a,b}, [...]) as a regex."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^.]*")
        elif c == "?":
            out.append("[^.]")
        elif c == "{":
            j = pattern.index("}", i)
            out.append("(?:" + "|".join(re.escape(a) for a in pattern[i + 1:j].split(",")) + ")")
            i = j
        elif c == "[":
            j = pattern.index("]", i)
            out.append("[" + pattern[i + 1:j] + "]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$")


def is_glob(node):
    return any(c in node for c in "*?{[")


# ---------------------------------------------------------------------------
# the checks

class Checker:
    def __init__(self, paths, types, prefix=""):
        self.paths = [prefix + p for p in paths]
        self.types = types
        self.prefix = prefix
        self.cache = {}
        sample = next((p for p in paths if re.search(r"\.nfs_op-READ\.ops$", p)), None)
        if sample is None:
            sample = next(p for p in paths if ".nfs_op-" in p)
        n = sample.split(".")
        self.concrete = {"host": n[0], "mount": n[1][len("mountstats-"):],
                         "op": n[2].split("-", 1)[1]}

    def matches(self, pattern):
        if pattern not in self.cache:
            rx = glob_regex(pattern)
            self.cache[pattern] = sum(1 for p in self.paths if rx.match(p))
        return self.cache[pattern]

    def leaf(self, pattern):
        """(type, ds, kind, op node index) of a path pattern, or None."""
        nodes = pattern.split(".")
        for i, node in enumerate(nodes):
            if node.startswith("mountstats-") and i + 1 < len(nodes):
                tnode = nodes[i + 1]
                best = None
                for t in self.types:
                    if tnode == t or tnode.startswith(t + "-"):
                        if best is None or len(t) > len(best):
                            best = t
                if best is None:
                    return None
                dss = self.types[best]
                if i + 2 < len(nodes):
                    ds = nodes[i + 2]
                elif len(dss) == 1:
                    ds = dss[0][0]
                else:
                    return None
                kind = dict(dss).get(ds)
                return best, ds, kind, i + 1
        return None

    def substitute(self, target, values):
        def rep(m):
            name = m.group(1) or m.group(2)
            if name not in values:
                raise KeyError(name)
            return values[name]
        return re.sub(r"\$\{(\w+)\}|\$(\w+)", rep, target)

    def check_target(self, where, target, panel, variables):
        problems = []
        repeat = panel.get("repeat")
        sets = []
        for mode in ("all", "concrete"):
            v = {"prefix": self.prefix}
            for name in ("host", "mount", "op"):
                v[name] = "*" if mode == "all" else self.concrete[name]
            if repeat and repeat in self.concrete:
                v[repeat] = self.concrete[repeat]  # Grafana: one value per panel
            sets.append((mode, v))
        used = set(re.findall(r"\$\{(\w+)\}|\$(\w+)", target))
        for a, b in used:
            if (a or b) not in variables:
                problems.append("%s: uses $%s, which is not a dashboard variable" % (where, a or b))
        if problems:
            return problems
        for mode, values in sets:
            try:
                text = self.substitute(target, values)
                tree = parse(text)
            except (ParseError, ValueError, KeyError) as e:
                problems.append("%s: cannot parse %r: %s" % (where, target, e))
                return problems
            self.walk(tree, [], problems, "%s [%s]" % (where, mode), panel, mode)
        return sorted(set(problems))

    def walk(self, node, stack, problems, where, panel, mode, in_template=False):
        if isinstance(node, Path):
            self.check_path(node.text, stack, problems, where, in_template)
            return
        if not isinstance(node, Call):
            return
        name = node.name
        if name == "applyByNode":
            if len(node.args) < 3 or not isinstance(node.args[0], Path) or \
                    not isinstance(node.args[1], Literal) or not isinstance(node.args[2], Literal):
                problems.append("%s: applyByNode(path, node, template[, name]) expected" % where)
                return
            seed = node.args[0].text
            if not self.matches(seed):
                problems.append("%s: %s matches no metric the plugin produces" % (where, seed))
            nodes = seed.split(".")
            n = node.args[1].value
            if not (-len(nodes) <= n < len(nodes)):
                problems.append("%s: applyByNode node %s outside %s" % (where, n, seed))
                return
            prefix = ".".join(nodes[:n + 1] if n != -1 else nodes)
            template = node.args[2].value
            if "%" not in template:
                problems.append("%s: applyByNode template without %%" % where)
            try:
                sub = parse(template.replace("%", prefix))
            except ParseError as e:
                problems.append("%s: applyByNode template: %s" % (where, e))
                return
            self.walk(sub, stack + [node], problems, where, panel, mode, True)
            return
        if name in ("aliasByNode", "groupByNode", "groupByNodes"):
            inner = first_path(node.args[0]) if node.args else None
            if inner:
                count = len(inner.split("."))
                for a in node.args[1:]:
                    if isinstance(a, Literal) and isinstance(a.value, int) and \
                            not isinstance(a.value, bool) and not (-count <= a.value < count):
                        problems.append("%s: %s node %d outside %s" % (where, name, a.value, inner))
        if name in ("averageSeries", "avg") or (name == "groupByNode" and len(node.args) > 2 and
                                                isinstance(node.args[2], Literal) and
                                                node.args[2].value in ("averageSeries", "avg", "average")):
            for p in all_paths(node):
                lf = self.leaf(p)
                if lf and (lf[0] == "nfs_op_avg" or lf[1] in TIME_DS):
                    problems.append("%s: %s over %s averages averages; divide the sums" %
                                    (where, name, p))
        if name in ("divideSeries", "divideSeriesLists"):
            self.check_divide(node, problems, where, panel, mode, in_template)
        for a in node.args:
            self.walk(a, stack + [node], problems, where, panel, mode, in_template)

    def check_path(self, text, stack, problems, where, in_template):
        n = self.matches(text)
        if n == 0:
            problems.append("%s: %s matches no metric the plugin produces" % (where, text))
            return
        lf = self.leaf(text)
        if lf is None:
            problems.append("%s: %s is not a mountstats data source path" % (where, text))
            return
        t, ds, kind, _ = lf
        names = [c.name for c in stack]
        parent = names[-1] if names else None
        if kind == "DERIVE" and parent not in COUNTER_FUNCS:
            problems.append("%s: counter %s drawn without perSecond (inside %s)" %
                            (where, text, parent))
        if kind == "GAUGE" and any(n in COUNTER_FUNCS for n in names):
            problems.append("%s: gauge %s under perSecond" % (where, text))
        if t == "nfs_op_avg" and any(n in AGGREGATES for n in names):
            problems.append("%s: nfs_op_avg %s combined across series (an average "
                            "of averages)" % (where, text))
        if ds in TIME_DS and "divideSeries" not in names and "divideSeriesLists" not in names:
            problems.append("%s: cumulative time %s drawn without dividing by ops" % (where, text))

    def check_divide(self, node, problems, where, panel, mode, in_template):
        if len(node.args) != 2:
            problems.append("%s: %s needs two arguments" % (where, node.name))
            return
        num, den = node.args
        npaths, dpaths = all_paths(num), all_paths(den)
        times = [p for p in npaths if (self.leaf(p) or (0, ""))[1] in TIME_DS]
        if not times:
            return
        for p in times:
            want = p.rsplit(".", 1)[0] + ".ops"
            if dpaths != [want]:
                problems.append("%s: %s divided by %s, not by %s" % (where, p, dpaths, want))
        for side, tree in (("dividend", num), ("divisor", den)):
            if not wrapped_in_per_second(tree):
                problems.append("%s: %s of %s is not perSecond(...) or "
                                "sumSeries(perSecond(...))" % (where, side, node.name))
        if node.name == "divideSeries" and not in_template:
            if not (isinstance(den, Call) and den.name in AGGREGATES):
                problems.append("%s: divideSeries divisor %s can be several series; "
                                "use applyByNode or sumSeries" % (where, den))
            elif mode == "all":
                lf = self.leaf(dpaths[0])
                nodes = dpaths[0].split(".")
                if lf and TYPE_INSTANCE.get(lf[0]) == "op" and is_glob(nodes[lf[3]]):
                    problems.append("%s: %s sums every op together (repeat the panel "
                                    "per op)" % (where, den))


def first_path(node):
    ps = all_paths(node)
    return ps[0] if ps else None


def all_paths(node):
    """Path patterns under node, with the ones applyByNode's template builds."""
    if isinstance(node, Path):
        return [node.text]
    if isinstance(node, Call):
        out = []
        for a in node.args:
            out += all_paths(a)
        if node.name == "applyByNode" and len(node.args) >= 3 and \
                isinstance(node.args[0], Path) and isinstance(node.args[1], Literal) and \
                isinstance(node.args[2], Literal):
            nodes = node.args[0].text.split(".")
            n = node.args[1].value
            prefix = ".".join(nodes[:n + 1] if n != -1 else nodes)
            try:
                out += all_paths(parse(str(node.args[2].value).replace("%", prefix)))
            except ParseError:
                pass
        return out
    return []


def wrapped_in_per_second(tree):
    """perSecond(path) or an aggregate of perSecond(path)s."""
    if isinstance(tree, Call) and tree.name in COUNTER_FUNCS:
        return len(tree.args) >= 1 and isinstance(tree.args[0], Path)
    if isinstance(tree, Call) and tree.name in ("sumSeries", "sum", "scale"):
        return all(wrapped_in_per_second(a) for a in tree.args if not isinstance(a, Literal))
    return False


def panels_of(dash):
    for p in dash.get("panels", []):
        yield p
        for q in p.get("panels", []) or []:
            yield q


def check(dash, paths, types=None, prefix=""):
    """Problems found in the dashboard (empty list: none)."""
    if types is None:
        types = plugin_types(TYPES_DB)
    c = Checker(paths, types, prefix)
    problems = []
    tl = dash.get("templating", {}).get("list", [])
    variables = {v.get("name"): v for v in tl}
    for name in ("host", "mount", "op"):
        v = variables.get(name)
        if v is None:
            problems.append("templating variable %s is missing" % name)
            continue
        if v.get("type") != "query":
            problems.append("variable %s is not a query" % name)
            continue
        q = c.substitute(v["query"], {"prefix": prefix, "host": "*", "mount": "*", "op": "*"})
        rx = glob_regex(q)
        nodes = q.count(".") + 1
        found = {".".join(p.split(".")[:nodes]) for p in c.paths}
        hits = [f for f in found if rx.match(f)]
        if not hits:
            problems.append("variable %s: query %s finds nothing" % (name, v["query"]))
            continue
        regex = v.get("regex") or ""
        last = sorted(hits)[0].split(".")[-1]
        if regex and not re.search(regex.strip("/"), last):
            problems.append("variable %s: regex %s does not match %s" % (name, regex, last))
    targets = 0
    for p in panels_of(dash):
        if p.get("type") == "row":
            continue
        title = p.get("title", "?")
        ds = p.get("datasource") or {}
        if ds.get("type") != "graphite":
            problems.append("panel %r: datasource is not graphite" % title)
        if not p.get("targets"):
            problems.append("panel %r has no targets" % title)
        if not (p.get("fieldConfig", {}).get("defaults", {}).get("unit")):
            problems.append("panel %r has no unit" % title)
        if p.get("repeat") and p["repeat"] not in variables:
            problems.append("panel %r repeats over an unknown variable" % title)
        for t in p.get("targets", []):
            if t.get("hide"):
                continue
            targets += 1
            where = "panel %r target %s" % (title, t.get("refId"))
            if not t.get("target"):
                problems.append("%s: no target text" % where)
                continue
            problems += c.check_target(where, t["target"], p, variables)
    if targets == 0:
        problems.append("the dashboard has no targets")
    return problems


def interpolate(text, values):
    """Grafana's variable substitution ($name and ${name})."""
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: values[m.group(1) or m.group(2)], text)


def expanded_targets(dash, values, repeat_values=None):
    """[(panel title, refId, target text)] with the variables substituted;
    a panel repeated over a variable gets repeat_values' value for it."""
    out = []
    for p in panels_of(dash):
        v = dict(values)
        if p.get("repeat") and repeat_values and p["repeat"] in repeat_values:
            v[p["repeat"]] = repeat_values[p["repeat"]]
        for t in p.get("targets", []):
            if t.get("target") and not t.get("hide"):
                out.append((interpolate(p.get("title", ""), v), t.get("refId"),
                            interpolate(t["target"], v)))
    return out


def load(path=DASHBOARD):
    with open(path) as f:
        return json.load(f)


# ---------------------------------------------------------------------------

def whisper_paths(whisper_dir, prefix):
    out = []
    for root, _, files in os.walk(whisper_dir):
        for n in files:
            if n.endswith(".wsp"):
                rel = os.path.relpath(os.path.join(root, n[:-4]), whisper_dir)
                p = rel.replace(os.sep, ".")
                if p.startswith(prefix):
                    out.append(p[len(prefix):])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dashboard", default=DASHBOARD)
    ap.add_argument("--types-db", default=TYPES_DB)
    ap.add_argument("--whisper-dir", help="check against a real run's whisper files")
    ap.add_argument("--prefix", default="", help="write_graphite Prefix of those files")
    args = ap.parse_args()
    results = []

    def report(name, ok, detail=""):
        results.append(bool(ok))
        print(("PASS" if ok else "FAIL") + ": " + name + ("" if ok or not detail else ": " + detail))

    try:
        dash = load(args.dashboard)
        report("dashboard is valid JSON", True)
    except (OSError, ValueError) as e:
        report("dashboard is valid JSON", False, str(e))
        print("%d passed, %d failed" % (sum(results), len(results) - sum(results)))
        return 1
    types = plugin_types(args.types_db)
    unknown = [t for t in types if t not in TYPE_INSTANCE and t not in STOCK_TYPES]
    report("every type of the types file has a naming rule here", not unknown,
           "update TYPE_INSTANCE for %s" % unknown)
    types = {t: d for t, d in types.items() if t not in unknown}
    paths = sample_paths(types)
    if args.whisper_dir:
        paths = whisper_paths(args.whisper_dir, args.prefix)
        report("whisper files found", bool(paths), args.whisper_dir)
    names = [v.get("name") for v in dash.get("templating", {}).get("list", [])]
    report("templating variables host, mount and op", all(n in names for n in ("host", "mount", "op")),
           str(names))
    targets = [t["target"] for p in panels_of(dash) for t in p.get("targets", [])]
    report("panels for ops/s, kB/s, RTT, execution time, retrans/timeouts, errors",
           all(any(k in t for t in targets) for k in
               (".ops)", "server_read", "rtt_ms", "exec_ms", ".trans", ".timeouts",
                "nfs_op_errors-")), "")
    report("per-op averages use divideSeries(perSecond(...rtt_ms), perSecond(...ops))",
           any("divideSeries(perSecond(%.rtt_ms), perSecond(%.ops))" in t for t in targets) and
           any("divideSeries(sumSeries(perSecond(" in t and "rtt_ms" in t for t in targets))
    problems = check(dash, paths, types)
    report("every target matches real metric paths and the counter/average rules "
           "(%d targets)" % len(targets), not problems, "\n  " + "\n  ".join(problems))

    # The checker must catch broken dashboards.
    def mutated(old, new):
        d = copy.deepcopy(dash)
        hit = False
        for p in panels_of(d):
            for t in p.get("targets", []):
                if old in t.get("target", ""):
                    t["target"] = t["target"].replace(old, new)
                    hit = True
        return d if hit else None

    for desc, old, new in [
        ("an average without perSecond", "perSecond(%.ops))", "%.ops)"),
        ("a misspelt data source", ".rtt_ms)", ".rtt)"),
        ("RTT divided by the wrong counter", "perSecond(%.ops))\", \"%.avg_rtt", "perSecond(%.trans))\", \"%.avg_rtt"),
        ("an average of averages (fleet RTT as averageSeries of per-host averages)",
         "alias(divideSeries(sumSeries(perSecond(${prefix}$host.mountstats-$mount.nfs_op-$op.rtt_ms)), "
         "sumSeries(perSecond(${prefix}$host.mountstats-$mount.nfs_op-$op.ops))), '$op RTT')",
         "alias(averageSeries(applyByNode(${prefix}$host.mountstats-$mount.nfs_op-$op.ops, -2, "
         "\"divideSeries(perSecond(%.rtt_ms), perSecond(%.ops))\")), '$op RTT')"),
        ("a counter drawn raw", "perSecond(${prefix}$host.mountstats-$mount.nfs_op-$op.ops), -4",
         "${prefix}$host.mountstats-$mount.nfs_op-$op.ops, -4"),
        ("a gauge under perSecond", "${prefix}$host.mountstats-$mount.uptime-age",
         "perSecond(${prefix}$host.mountstats-$mount.uptime-age)"),
        ("a wrong path shape (.value on a single-value type)", "nfs_op_errors-$op)", "nfs_op_errors-$op.value)"),
        ("an unknown variable", "$mount", "$mountpoint"),
        ("an aliasByNode node past the path", "-4, -3, -2)", "-7, -3, -2)"),
    ]:
        d = mutated(old, new)
        if d is None:
            report("mutation applies: " + desc, False, "pattern %r not in the dashboard" % old)
            continue
        found = check(d, paths, types)
        report("the checker catches " + desc, bool(found))
        if found and os.environ.get("CHECK_DASHBOARD_VERBOSE"):
            print("    " + found[0])
    # Without the panel repeat, a fleet average would sum every op together.
    d = copy.deepcopy(dash)
    for p in panels_of(d):
        p.pop("repeat", None)
    found = check(d, paths, types)
    report("the checker catches a fleet average over all ops at once",
           any("repeat the panel per op" in x for x in found))
    if os.environ.get("CHECK_DASHBOARD_VERBOSE"):
        print("    " + "\n    ".join(found[:2]))

    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())

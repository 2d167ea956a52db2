#!/usr/bin/env python3
"""Checks the project's Sigma rules (rules/lovcen) without the rule engine.

1. Every file parses as YAML, has the required keys, a UUIDv4 id, and validates against the
   Sigma JSON schemas (detection or correlation), when the schemas and `jsonschema` are there.
2. With --data OUT (a folder written by `lovcen demo generate`), the detection rules are run on
   the generated events by a small reference matcher that knows only what these rules use; every
   attack event must be matched by exactly the rules its ground-truth line names, and no standalone
   rule of level low or above may match an ordinary event.

Usage: scripts/check-lovcen-rules.py [--schemas DIR] [--data OUT]
"""
import argparse, base64, glob, ipaddress, json, os, re, sys, uuid
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(ROOT, 'rules', 'lovcen')


class StringDateLoader(yaml.SafeLoader):
    """Keeps `date: 2026-11-25` a string, as Sigma tools read it."""


StringDateLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != 'tag:yaml.org,2002:timestamp']
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load_rules():
    out = []
    for f in sorted(glob.glob(os.path.join(RULES, '**', '*.yml'), recursive=True)):
        with open(f, encoding='utf-8') as fh:
            docs = list(yaml.load_all(fh, Loader=StringDateLoader))
        if len(docs) != 1:
            raise SystemExit(f'{f}: expected one rule per file, found {len(docs)}')
        out.append((f, docs[0]))
    return out


def check_structure(rules, schemas):
    problems = []
    validators = None
    if schemas:
        try:
            import jsonschema
            det = json.load(open(os.path.join(schemas, 'sigma-detection-rule-schema.json')))
            cor = json.load(open(os.path.join(schemas, 'sigma-correlation-rules-schema.json')))
            fc = jsonschema.FormatChecker()
            validators = (jsonschema.Draft202012Validator(det, format_checker=fc),
                          jsonschema.Draft202012Validator(cor, format_checker=fc))
        except ImportError:
            print('jsonschema not installed: schema validation skipped')
    ids = set()
    for f, r in rules:
        rel = os.path.relpath(f, ROOT)
        corr = 'correlation' in r
        required = ['title', 'id', 'status', 'description', 'author', 'date', 'level'] + (
            ['correlation'] if corr else ['logsource', 'detection', 'tags'])
        for k in required:
            if k not in r:
                problems.append(f'{rel}: missing {k}')
        try:
            if uuid.UUID(r.get('id', '')).version != 4:
                problems.append(f'{rel}: id is not a UUIDv4')
        except ValueError:
            problems.append(f'{rel}: id is not a UUID')
        if r.get('id') in ids:
            problems.append(f'{rel}: duplicate id')
        ids.add(r.get('id'))
        if r.get('author') != 'Lovcen CERT team':
            problems.append(f'{rel}: author')
        if validators:
            for e in validators[1 if corr else 0].iter_errors(r):
                problems.append(f'{rel}: schema: {e.message}')
    return problems


# ---------------------------------------------------------------- reference matcher

def plain(value):
    """Sigma string -> literal text (escapes resolved). The rules use no wildcards."""
    return value.replace('\\\\\\\\', '\x00').replace('\\\\', '\\').replace('\x00', '\\\\')


def b64offsets(data):
    outs = []
    for i in range(3):
        enc = base64.b64encode(b'\x00' * i + data).decode()
        start = (0, 2, 3)[i]
        end = len(enc) - (0, 3, 2)[(len(data) + i) % 3]
        outs.append(enc[start:end])
    return outs


def windash(value):
    variants = {value}
    for dash in ['-', '/', '\u2013', '\u2014', '\u2015']:
        variants.add(re.sub(r'(?<=\s)[-/]|^[-/]', dash, value))
    return variants


def compile_field(key, values):
    parts = key.split('|')
    field, mods = parts[0], parts[1:]
    if not isinstance(values, list):
        values = [values]
    use_all = 'all' in mods
    mods = [m for m in mods if m != 'all']
    preds = []
    for v in values:
        if 're' in mods:
            rx = re.compile(v)
            preds.append(lambda s, rx=rx: s is not None and rx.search(s) is not None)
            continue
        if 'cidr' in mods:
            net = ipaddress.ip_network(v)
            def p(s, net=net):
                try:
                    return s is not None and ipaddress.ip_address(s) in net
                except ValueError:
                    return False
            preds.append(p)
            continue
        if isinstance(v, int):
            preds.append(lambda s, v=v: s is not None and s == str(v))
            continue
        texts = [plain(v)]
        if 'windash' in mods:
            texts = sorted({w for t in texts for w in windash(t)})
        if 'base64offset' in mods:
            enc = 'utf-16-le' if 'wide' in mods else 'utf-8'
            texts = [o for t in texts for o in b64offsets(t.encode(enc))]
            cmp = 'contains'
        else:
            cmp = next((m for m in mods if m in ('contains', 'startswith', 'endswith')), 'equals')
        def p(s, texts=[t.lower() for t in texts], cmp=cmp, b64='base64offset' in mods):
            if s is None:
                return False
            s2 = s if b64 else s.lower()
            for t in texts:
                t2 = t if not b64 else t
                if cmp == 'contains' and t2 in s2: return True
                if cmp == 'startswith' and s2.startswith(t2): return True
                if cmp == 'endswith' and s2.endswith(t2): return True
                if cmp == 'equals' and s2 == t2: return True
            return False
        # base64 is case-sensitive: compare against the original case
        if 'base64offset' in mods:
            def p(s, texts=texts):
                return s is not None and any(t in s for t in texts)
        preds.append(p)
    if use_all:
        return lambda ev: all(p(ev.get(field)) for p in preds)
    return lambda ev: any(p(ev.get(field)) for p in preds)


def compile_search(body):
    if isinstance(body, list):
        subs = [compile_search(b) for b in body]
        return lambda ev: any(s(ev) for s in subs)
    fields = [compile_field(k, v) for k, v in body.items()]
    return lambda ev: all(f(ev) for f in fields)


def compile_condition(cond, searches):
    tokens = re.findall(r'\(|\)|[A-Za-z0-9_*]+', cond)
    pos = [0]

    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None

    def take():
        t = tokens[pos[0]]; pos[0] += 1; return t

    def primary():
        t = take()
        if t == '(':
            e = expr(); take(); return e
        if t == 'not':
            e = primary(); return lambda ev: not e(ev)
        if t in ('1', 'all'):
            quant = t; take()  # 'of'
            pat = take()
            names = [n for n in searches if re.fullmatch(pat.replace('*', '.*'), n)] if pat != 'them' else list(searches)
            subs = [searches[n] for n in names]
            if quant == '1':
                return lambda ev: any(s(ev) for s in subs)
            return lambda ev: all(s(ev) for s in subs)
        s = searches[t]
        return s

    def conj():
        left = primary()
        while peek() == 'and':
            take(); right = primary(); left = (lambda a, b: lambda ev: a(ev) and b(ev))(left, right)
        return left

    def expr():
        left = conj()
        while peek() == 'or':
            take(); right = conj(); left = (lambda a, b: lambda ev: a(ev) or b(ev))(left, right)
        return left

    return expr()


CATEGORY = {
    'process_creation': ('Microsoft-Windows-Sysmon/Operational', 1),
    'network_connection': ('Microsoft-Windows-Sysmon/Operational', 3),
    'driver_load': ('Microsoft-Windows-Sysmon/Operational', 6),
    'process_access': ('Microsoft-Windows-Sysmon/Operational', 10),
    'file_event': ('Microsoft-Windows-Sysmon/Operational', 11),
    'registry_set': ('Microsoft-Windows-Sysmon/Operational', 13),
    'dns_query': ('Microsoft-Windows-Sysmon/Operational', 22),
    'ps_script': ('Microsoft-Windows-PowerShell/Operational', 4104),
}
SERVICE = {'security': 'Security', 'system': 'System'}


def compile_rule(r):
    ls = r['logsource']
    if 'category' in ls:
        channel, eid = CATEGORY[ls['category']]
    else:
        channel, eid = SERVICE[ls['service']], None
    det = dict(r['detection'])
    cond = det.pop('condition')
    searches = {k: compile_search(v) for k, v in det.items()}
    c = compile_condition(cond, searches)
    return lambda ev: ev['Channel'] == channel and (eid is None or ev['EventID'] == str(eid)) and c(ev)


def flatten(obj):
    e = obj['Event']
    s = e['System']
    eid = s['EventID']
    ev = {'EventID': eid['#text'] if isinstance(eid, dict) else eid, 'Channel': s['Channel'],
          'Computer': s['Computer'], 'Provider_Name': s['Provider']['#attributes']['Name']}
    for k, v in e.get('EventData', {}).items():
        ev[k] = None if v is None else str(v)
    ev['EventID'] = str(ev['EventID'])
    return ev


def check_data(rules, out):
    compiled = {os.path.splitext(os.path.basename(f))[0]: (compile_rule(r), r) for f, r in rules
                if 'detection' in r}
    gt = {}
    for l in open(os.path.join(out, 'ground-truth.jsonl'), encoding='utf-8'):
        g = json.loads(l)
        gt[(g['file'], g['line'])] = g
    problems, hits, steps = [], {}, {}
    for f in sorted(glob.glob(os.path.join(out, '*', '*.jsonl'))):
        rel = os.path.relpath(f, out)
        for n, line in enumerate(open(f, encoding='utf-8'), 1):
            ev = flatten(json.loads(line))
            matched = sorted(k for k, (m, _) in compiled.items() if m(ev))
            g = gt.get((rel, n))
            if g is not None:
                if matched != sorted(g['rules']):
                    problems.append(f'{rel}:{n} step {g["step"]}: rules {matched}, ground truth {sorted(g["rules"])}')
                for k in matched:
                    steps.setdefault(k, set()).add(g['step'])
            else:
                loud = [k for k in matched if compiled[k][1].get('level') != 'informational'
                        and compiled[k][1].get('name') is None]
                if loud:
                    problems.append(f'{rel}:{n} ordinary event matched {loud}: {ev}')
            for k in matched:
                hits[k] = hits.get(k, 0) + 1
    return problems, hits, steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--schemas', default=os.path.join(ROOT, '..', 'shared', 'sigma', 'spec', 'json-schema'))
    ap.add_argument('--data')
    a = ap.parse_args()
    rules = load_rules()
    problems = check_structure(rules, a.schemas if os.path.isdir(a.schemas) else None)
    print(f'{len(rules)} rule files checked')
    if a.data:
        p2, hits, steps = check_data(rules, a.data)
        problems += p2
        for k in sorted(hits):
            print(f'  {hits[k]:7d}  {k}  {sorted(steps.get(k, []))}')
    for p in problems[:50]:
        print('PROBLEM', p)
    if problems:
        print(f'{len(problems)} problems')
        sys.exit(1)
    print('all good')


if __name__ == '__main__':
    main()

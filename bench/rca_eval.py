#!/usr/bin/env python3
"""Accuracy of `ddbg rca`: simulated faults and the labelled TrainTicket faults.

Usage: bench/rca_eval.py [--build build] [--work /tmp/ddbg-rca-eval] [--sim] [--real]
                         [--quick] [--shifted]
Simulated: many `ddbg simulate` scenarios (every fault kind, several services, seeds and
topologies, two simultaneous faults, a slow-but-healthy noise dependency); for each injected
service its rank among the services `ddbg rca --since <fault start> --until <fault end>`
returns. Real: every fault of ../shared/data/rca/*/labels.json, ranked with
`ddbg rca --since <injection> --until <injection + 5 min>` on one store of the day, compared
with the rank Nezha published for the same fault. --shifted repeats the real evaluation
with other windows (1 minute later, 1 minute earlier, 10 minutes long), which were never
looked at while rca's rules were chosen: a check of how much the figures owe to the protocol.
Only the standard library is used.
"""
import argparse, csv, json, os, subprocess, sys, time, collections

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, '..', '..', 'shared', 'data', 'rca'))
if not os.path.isdir(SHARED):
    SHARED = '/work/shared/data/rca'


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError('%s failed: %s' % (' '.join(cmd), r.stderr.strip()))
    return r.stdout


def service_ranks(report, ignore=()):
    """Distinct services in suspect order (any kind counts for its service)."""
    order = []
    for s in report['suspects']:
        if s['service'] not in order and s['service'] not in ignore:
            order.append(s['service'])
    return order


def rank_of(report, service, ignore=()):
    order = service_ranks(report, ignore)
    return order.index(service) + 1 if service in order else None


def rca(ddbg, store, since, until):
    out = run([ddbg, 'rca', '--data', store, '--since', since, '--until', until,
               '--format', 'json', '--top', '50'])
    return json.loads(out)


# (services, seed, faults, noise) — faults as --fault specs; noise is a slow-but-healthy
# dependency over the whole range (present in the baseline too).
def sim_scenarios(quick):
    kinds = ['latency', 'error', 'cascade', 'slow-instance', 'retry-storm', 'bad-deploy']
    targets = {8: ['payment', 'inventory', 'users', 'shipping'],
               12: ['pricing', 'catalog', 'orders', 'cart'],
               24: ['ledger', 'currency', 'cart', 'auth']}
    seeds = [1, 2] if not quick else [1]
    out = []
    for n, svcs in targets.items():
        for i, kind in enumerate(kinds):
            for seed in seeds:
                svc = svcs[(i + seed) % len(svcs)]
                out.append((n, seed, ['%s:%s' % (kind, svc)], None))
    # two simultaneous faults
    pairs = [(8, 'latency:payment', 'error:inventory'), (12, 'error:pricing', 'latency:catalog'),
             (24, 'cascade:ledger', 'latency:users'), (12, 'slow-instance:orders', 'error:cart')]
    for n, a, b in pairs:
        out.append((n, 3, [a, b], None))
    # a slow-but-healthy dependency as noise
    noise = [(8, 'error:payment', 'users'), (12, 'latency:inventory', 'catalog'),
             (24, 'error:currency', 'search'), (12, 'retry-storm:pricing', 'users')]
    for n, f, slow in noise:
        out.append((n, 4, [f], slow))
    return out


def eval_sim(ddbg, work, quick, traces):
    rows = []
    for n, seed, faults, noise in sim_scenarios(quick):
        d = os.path.join(work, 'sim-%d-%d-%s' % (n, seed, '+'.join(faults).replace(':', '_')))
        specs = []
        for f in faults:
            specs += ['--fault', f]
        if noise:
            specs += ['--fault', 'latency:%s,start=2025-01-15T10:00:00Z,duration=1h,magnitude=3' % noise]
        if not os.path.exists(os.path.join(d, 'store')):
            run([ddbg, 'simulate', '--out', d, '--services', str(n), '--seed', str(seed),
                 '--traces', str(traces)] + specs)
            files = [os.path.join(d, 'traces.otlp.jsonl')]
            logs = os.path.join(d, 'logs')
            files += [os.path.join(logs, x) for x in sorted(os.listdir(logs))]
            if os.path.exists(os.path.join(d, 'logs.otlp.jsonl')):
                files.append(os.path.join(d, 'logs.otlp.jsonl'))
            run([ddbg, 'ingest', '--data', os.path.join(d, 'store')] + files)
        truth = json.load(open(os.path.join(d, 'ground_truth.json')))
        injected = [f for f in truth['faults'] if f['service'] != noise]
        since = min(f['start'] for f in injected)
        until = max(f['end'] for f in injected)
        report = rca(ddbg, os.path.join(d, 'store'), since, until)
        for f in injected:
            others = [g['service'] for g in injected if g['service'] != f['service']]
            r = rank_of(report, f['service'], ignore=others)
            rows.append({'scenario': os.path.basename(d), 'kind': f['kind'],
                         'service': f['service'], 'rank': r,
                         'two_faults': len(injected) > 1, 'noise': bool(noise),
                         'top': service_ranks(report)[:3],
                         'conf': report['suspects'][0]['confidence'] if report['suspects'] else 0})
    # fault-free windows: no suspect may exceed 0.5
    free = []
    for n, seed in [(8, 5), (12, 6), (24, 7)]:
        d = os.path.join(work, 'sim-free-%d-%d' % (n, seed))
        if not os.path.exists(os.path.join(d, 'store')):
            run([ddbg, 'simulate', '--out', d, '--services', str(n), '--seed', str(seed),
                 '--traces', str(traces)])
            files = [os.path.join(d, 'traces.otlp.jsonl')]
            files += [os.path.join(d, 'logs', x) for x in sorted(os.listdir(os.path.join(d, 'logs')))]
            if os.path.exists(os.path.join(d, 'logs.otlp.jsonl')):
                files.append(os.path.join(d, 'logs.otlp.jsonl'))
            run([ddbg, 'ingest', '--data', os.path.join(d, 'store')] + files)
        report = rca(ddbg, os.path.join(d, 'store'), '2025-01-15T10:20:00Z', '2025-01-15T10:30:00Z')
        top = max((s['confidence'] for s in report['suspects']), default=0)
        free.append((os.path.basename(d), top))
    return rows, free


def eval_real(ddbg, work, offset_min=0, length_min=5):
    rows = []
    for day in sorted(os.listdir(SHARED)):
        ddir = os.path.join(SHARED, day)
        if not os.path.isfile(os.path.join(ddir, 'labels.json')):
            continue
        store = os.path.join(work, 'real-' + day)
        if not os.path.exists(store):
            run([ddbg, 'ingest', '--data', store, os.path.join(ddir, 'traces.otlp.jsonl.gz'),
                 os.path.join(ddir, 'logs.otlp.jsonl.gz')])
        nezha = {}
        pub = os.path.join(ddir, 'nezha_published_ranks.csv')
        if os.path.exists(pub):
            for r in csv.DictReader(open(pub)):
                nezha[(r['inject_time'], r['service'])] = int(r['nezha_service_rank'])
        for f in json.load(open(os.path.join(ddir, 'labels.json'))):
            t = f['inject_unix_nano'] + offset_min * 60 * 10**9
            t0 = time.time()
            report = rca(ddbg, store, str(t), str(t + length_min * 60 * 10**9))
            rows.append({'inject_time': f['inject_time'], 'service': f['service'],
                         'type': f['type'], 'rank': rank_of(report, f['service']),
                         'nezha': nezha.get((f['inject_time'], f['service'])),
                         'top': service_ranks(report)[:3], 'seconds': time.time() - t0})
    return rows


def summarize(rows, key):
    groups = collections.OrderedDict()
    for r in rows:
        groups.setdefault(r[key], []).append(r)
    groups['ALL'] = rows
    lines = ['| %s | faults | top-1 | top-3 | avg rank |' % key, '|---|---:|---:|---:|---:|']
    for k, g in groups.items():
        n = len(g)
        t1 = sum(1 for r in g if r['rank'] == 1)
        t3 = sum(1 for r in g if r['rank'] and r['rank'] <= 3)
        avg = sum((r['rank'] or 20) for r in g) / n
        lines.append('| %s | %d | %d (%.1f%%) | %d (%.1f%%) | %.2f |' %
                     (k, n, t1, 100.0 * t1 / n, t3, 100.0 * t3 / n, avg))
    return '\n'.join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--work', default='/tmp/ddbg-rca-eval')
    ap.add_argument('--sim', action='store_true')
    ap.add_argument('--real', action='store_true')
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--shifted', action='store_true')
    ap.add_argument('--traces', type=int, default=3000)
    a = ap.parse_args()
    if not a.sim and not a.real and not a.shifted:
        a.sim = a.real = True
    ddbg = os.path.abspath(os.path.join(a.build, 'ddbg'))
    os.makedirs(a.work, exist_ok=True)
    if a.sim:
        rows, free = eval_sim(ddbg, a.work, a.quick, a.traces)
        print('## Simulated faults\n')
        for r in rows:
            print('  %-55s %-14s %-10s rank %s  top %s' % (r['scenario'][:55], r['kind'], r['service'],
                                                        r['rank'], ','.join(r['top'])))
        print()
        print(summarize(rows, 'kind'))
        print()
        for name, c in free:
            print('fault-free %s: highest confidence %.2f' % (name, c))
        print()
    if a.real:
        rows = eval_real(ddbg, a.work)
        print('## Labelled TrainTicket faults\n')
        print('| injection | service | type | ddbg rank | Nezha rank | ddbg top 3 |')
        print('|---|---|---|---:|---:|---|')
        for r in rows:
            print('| %s | %s | %s | %s | %s | %s |' % (r['inject_time'], r['service'], r['type'],
                                                    r['rank'], r['nezha'], ', '.join(r['top'])))
        print()
        print(summarize(rows, 'type'))
        nz = [dict(r, rank=r['nezha']) for r in rows if r['nezha']]
        print('\nNezha on the same faults:\n')
        print(summarize(nz, 'type'))
        print('\nseconds per rca run: max %.2f' % max(r['seconds'] for r in rows))
    if a.shifted:
        print('\n## Labelled TrainTicket faults, other windows\n')
        print('| window | top-1 | top-3 |\n|---|---:|---:|')
        for off, length in [(0, 5), (1, 5), (-1, 5), (0, 10)]:
            rows = eval_real(ddbg, a.work, off, length)
            t1 = sum(1 for r in rows if r['rank'] == 1)
            t3 = sum(1 for r in rows if r['rank'] and r['rank'] <= 3)
            print('| inject%+d min, %d min | %d | %d |' % (off, length, t1, t3))


if __name__ == '__main__':
    main()

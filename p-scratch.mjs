import { Environment } from '@marcbachmann/cel-js';
class Vuln { constructor(o){ Object.assign(this,o);} }
class Bundle { constructor(o){ Object.assign(this,o);} }
const env = new Environment({})
  .registerType('Vulnerability', { ctor: Vuln, fields: { id: 'string', aliases: 'list<string>', severity: 'string', cvss: 'double', hasFix: 'bool' } })
  .registerType('Bundle', { ctor: Bundle, fields: { vulnerabilities: 'list<Vulnerability>', labels: 'map<string, string>' } })
  .registerVariable('bundle', 'Bundle');
const meter = { cost: 0, limit: Infinity };
const OVER = new Error('over budget');
function sizeOf(v) { return Array.isArray(v) ? v.length : typeof v === 'string' ? v.length >>> 6 : 0; }
function wrap(node, seen) {
  if (!node || typeof node !== 'object' || seen.has(node)) return;
  if (typeof node.evaluate !== 'function' || !('op' in node)) { if (Array.isArray(node)) for (const n of node) wrap(n, seen); return; }
  seen.add(node);
  const meta = node.meta;
  if (meta.alternate) { wrap(meta.alternate, seen); }
  else if (meta.macro) { const m = meta.macro; for (const k of ['args', 'val', 'exp']) wrap(m[k], seen); }
  const args = node.args;
  if (node.op === 'comprehension') { wrap(args.iterable, seen); wrap(args.init, seen); wrap(args.step, seen); }
  else if (Array.isArray(args)) for (const a of args) wrap(a, seen);
  else wrap(args, seen);
  const inner = meta.alternate ? (ev, _a, ctx) => meta.alternate.evaluate(ev, meta.alternate, ctx) : meta.macro ? (ev, _a, ctx) => meta.macro.evaluate(ev, meta.macro, ctx) : meta.evaluate;
  node.evaluate = function charged(ev, ast, ctx) {
    if (meter.cost > meter.limit) throw OVER;
    const v = inner(ev, ast, ctx);
    meter.cost += 1 + sizeOf(v);
    return v;
  };
}
const N = 2000;
const vulns = Array.from({length: N}, (_, i) => new Vuln({ id: 'CVE-' + i, aliases: ['GHSA-'+i], severity: i%2?'high':'low', cvss: 5, hasFix: false }));
const b = new Bundle({ vulnerabilities: vulns, labels: {x: 'y'} });
for (const [e, limit] of [['bundle.vulnerabilities.filter(v, v.severity == "high").size() > 500', Infinity], ['bundle.vulnerabilities.exists(v, bundle.vulnerabilities.exists(w, w.id == v.id + "x"))', Infinity], ['bundle.vulnerabilities.exists(v, bundle.vulnerabilities.exists(w, w.id == v.id + "x"))', 1e6], ['cel.bind(xs, bundle.vulnerabilities.map(v, v.id), xs.exists(a, xs.exists(b, a == b + "x")))', 1e6], ['bundle.vulnerabilities.exists(v, v.id in bundle.vulnerabilities.map(w, w.id + "x"))', 1e6], ["has(bundle.labels.x) && bundle.vulnerabilities.all(v, v.aliases.exists(a, a.startsWith('GHSA')))", Infinity], ['!bundle.vulnerabilities.exists(v, bundle.vulnerabilities.exists(w, w.id == v.id + "x")) && false', 1e6]]) {
  const p = env.parse(e); const c = p.check(); if (!c.valid) { console.log(c.error.message); continue; }
  wrap(p.ast, new Set());
  meter.cost = 0; meter.limit = limit;
  const t = performance.now(); let r; try { r = p({bundle: b}); } catch (err) { r = err.message; }
  console.log(e, '=>', r, 'cost', meter.cost, Math.round(performance.now() - t), 'ms');
}

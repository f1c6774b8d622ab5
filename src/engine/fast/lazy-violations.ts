import type { Attribution, Violation } from '../../model/verdict.ts';
import type { RuleHit } from '../rules/rule.ts';

/**
 * Violations built only when shown. A vulnerability rule on a large image finds tens of thousands
 * of hits (47,166 for the bench's 100k report and 10 policies); what decides the verdict is how
 * many there are and which ones an exception or VEX statement suppresses, not their messages. So a
 * vulnerability hit keeps the index of its vulnerability and builds its Violation (message, CVSS,
 * fix, place) on first read, and a policy verdict's `violations` and `warnings` are filled from the
 * hits when first read (by a renderer, JSON.stringify, a test). Reading them gives exactly the
 * arrays the engine built eagerly before: the same objects, in the same order, with the same keys
 * in the same order (test/engine/fast/lazy-violations.test.ts compares both on real reports).
 * Bench (`npm run bench -- --evaluation-only`, generated 100k report): evaluate / JSON.parse 0.36×
 * (322.7 / 897.8 ms, load 0.2) → 0.26× (666.5 / 2580.3 ms, load 9.5), and the in-process ratio
 * with the sliced Trivy reader 1.73× → 1.37×; showing every violation (`--format json`) adds 0.22×.
 */

/** A vulnerability rule's hit: the Violation is built from the vulnerability at `vulnerabilityIndex` when first read. */
export class LazyVulnerabilityHit implements RuleHit {
  #violation: Violation | undefined;
  /** Set by the engine before the violation is read; kept for when it is built. */
  #attribution: Attribution | undefined;
  /** The indices of the same finding in other copies of the package, which the rule also matched. */
  #copies: number[] | undefined;

  constructor(
    readonly vulnerabilityIndex: number,
    private readonly build: (index: number, copies: readonly number[] | undefined) => Violation,
  ) {}

  /** Notes another copy of the package with the same finding (a rule collects them before anything is read). */
  addCopy(index: number): void {
    if (this.#violation !== undefined) throw new Error('a copy was added after the violation was built');
    (this.#copies ??= []).push(index);
  }

  get violation(): Violation {
    if (this.#violation === undefined) {
      this.#violation = this.build(this.vulnerabilityIndex, this.#copies);
      if (this.#attribution !== undefined) this.#violation.attribution = this.#attribution;
    }
    return this.#violation;
  }

  get attribution(): Attribution | undefined {
    return this.#attribution ?? this.#violation?.attribution;
  }

  set attribution(attribution: Attribution) {
    this.#attribution = attribution;
    if (this.#violation !== undefined) this.#violation.attribution = attribution;
  }
}

/** Sets a hit's attribution without building a lazy hit's violation. */
export function setAttribution(hit: RuleHit, attribution: Attribution): void {
  if (hit instanceof LazyVulnerabilityHit) hit.attribution = attribution;
  else hit.violation.attribution = attribution;
}

/** A hit's attribution, without building a lazy hit's violation. */
export function attributionOf(hit: RuleHit): Attribution | undefined {
  return hit instanceof LazyVulnerabilityHit ? hit.attribution : hit.violation.attribution;
}

/**
 * Makes `target[key]` the violations of `hits`, built when first read; the property then becomes
 * an ordinary array (writable, as the rest of the verdict). It stays enumerable and keeps its place
 * among the keys, so JSON.stringify writes the verdict as before.
 */
export function defineViolationsOnRead<K extends string>(target: { [key in K]?: Violation[] }, key: K, hits: readonly RuleHit[]): void {
  const settle = (value: Violation[]): void => {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get() {
      const violations = hits.map((hit) => hit.violation);
      settle(violations);
      return violations;
    },
    set: settle,
  });
}

/**
 * The property-test kit: each convergence property as a fast-check property
 * that users put in their own test suites.
 *
 * @example
 * import fc from 'fast-check';
 * import { properties } from 'autoloss/verify';
 * fc.assert(properties.monotoneInIou('Sub(1,Div(I,U))'));
 * fc.assert(properties.targetLogitUp('Neg(Dot(Y,Log(Softmax(X))))', { logitRange: 20 }));
 */
import fc from 'fast-check';
import type { Domain } from '../symbolic/domains.js';
import { LossKernel, type LossLike } from './loss-kernel.js';
import { resolveOptions, type VerifyOptions } from './options.js';
import { checkPoint, propertyDef, type PropertyName } from './properties.js';

export interface KitOptions extends VerifyOptions {
  /** Domain for an expression whose inputs do not fix it. */
  readonly domain?: Domain;
}

/** A property failed at a point: the error fast-check reports, with the point re-evaluated. */
export class PropertyViolation extends Error {
  override readonly name = 'PropertyViolation';
}

function kitProperty(name: PropertyName) {
  return (loss: LossLike, options: KitOptions = {}): fc.IPropertyWithHooks<[unknown]> => {
    const k = LossKernel.from(loss, options.domain);
    const def = propertyDef(name);
    if (!def.domains.includes(k.domain)) {
      throw new RangeError(`property ${name} applies to ${def.domains.join(', ')}, not to a ${k.domain} loss`);
    }
    const o = resolveOptions(options);
    return fc.property(def.points(k.domain, o), (p: unknown) => {
      const v = checkPoint(k, def, p, o);
      if (v) {
        throw new PropertyViolation(
          `${name}: ${v.message}\n  inputs ${JSON.stringify(v.inputs)}\n  value ${JSON.stringify(v.value)}\n  gradient ${JSON.stringify(v.gradient)}` +
            (v.boxes ? `\n  boxes ${JSON.stringify(v.boxes)}` : ''),
        );
      }
    });
  };
}

/** One fast-check property per convergence property; see `docs/verify.md`. */
export const properties = {
  finite: kitProperty('finite'),
  monotoneInIou: kitProperty('monotone-in-iou'),
  descentTowardTarget: kitProperty('descent-toward-target'),
  gradientWithoutOverlap: kitProperty('gradient-without-overlap'),
  negativesPushDown: kitProperty('negatives-push-down'),
  positivesPushUp: kitProperty('positives-push-up'),
  targetLogitUp: kitProperty('target-logit-up'),
  otherLogitsDown: kitProperty('other-logits-down'),
} as const;

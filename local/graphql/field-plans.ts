import type { FieldNode, GraphQLObjectType, GraphQLResolveInfo } from 'graphql';
import type { AuthModel, Decider } from '../../access/auth-model';
import type { ResolverCode } from '../appsync-js/types';

/**
 * What the executor needs per field that follows from the document and the schema alone,
 * worked out once per field of a cached document instead of once per request: the field's
 * auth decider (looked up, not asked), its resolver, whether it is nested past the depth limit.
 *
 * Kept by graphql-js's field node (a stable object of the cached document, see
 * document-cache.ts; the plans go when the document does). One node can be resolved under
 * different parent types (a fragment on an interface) and, through fragments, at different
 * depths: a plan is kept per node, parent type and (with a depth limit) depth.
 *
 * Nothing about a caller is kept: the decider decides per request from that request's caller
 * (its verified groups or IAM role), exactly as `authModel.decide` does.
 */

export interface FieldPlan {
  readonly parentType: GraphQLObjectType;
  /** Nesting level (counted only with a depth limit, else 0). */
  readonly depth: number;
  readonly decide: Decider;
  readonly resolver: ResolverCode | undefined;
  /** Nested deeper than the query depth limit. */
  readonly tooDeep: boolean;
}

export interface FieldPlans {
  /** The plan of the field graphql-js is resolving: cached, or made and kept. */
  planOf(info: GraphQLResolveInfo): FieldPlan;
}

export interface FieldPlanOptions {
  readonly authModel: AuthModel;
  /** Resolvers by `Type.field`. */
  readonly resolvers: ReadonlyMap<string, ResolverCode>;
  /** 0: no limit. */
  readonly depthLimit: number;
}

/** Nesting level of a field: `articles` 1, `articles.items` 2 (list indexes do not count). */
function depthOf(info: GraphQLResolveInfo): number {
  let depth = 0;
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) if (typeof p.key === 'string') depth++;
  return depth;
}

export function createFieldPlans(options: FieldPlanOptions): FieldPlans {
  const { authModel, resolvers, depthLimit } = options;
  // Nearly always one plan per node; a short list beats a nested map for the rare others.
  const byNode = new WeakMap<FieldNode, FieldPlan[]>();
  return {
    planOf(info) {
      const node = info.fieldNodes[0];
      const depth = depthLimit > 0 ? depthOf(info) : 0;
      let plans = byNode.get(node);
      const found = plans?.find((p) => p.parentType === info.parentType && p.depth === depth);
      if (found) return found;
      const typeName = info.parentType.name;
      const plan: FieldPlan = {
        parentType: info.parentType,
        depth,
        decide: authModel.deciderOf(typeName, info.fieldName),
        resolver: resolvers.get(`${typeName}.${info.fieldName}`),
        tooDeep: depthLimit > 0 && depth > depthLimit,
      };
      if (!plans) byNode.set(node, (plans = []));
      plans.push(plan);
      return plan;
    },
  };
}

// Compiled by `npm run contract:ts` against the types openapi-typescript generates from
// openapi/v1.json (csp-api.d.ts, not committed): a portal's view of the whole-plan GET. If the
// contract drops or renames what a portal reads, this stops compiling.
import type { components, operations, paths } from "./csp-api";

type PlanDocument = components["schemas"]["PlanDocument"];
type GetPlan = paths["/v1/partnerships/{partnership}/plans/{planId}"]["get"];
type Problem = components["schemas"]["ProblemDetails"];

export type PlanResponse = GetPlan["responses"][200]["content"]["application/json"];
export type NotFound = operations["getPlan"]["responses"][404]["content"]["application/problem+json"];

export function summarise(plan: PlanDocument): string {
  const commitments = plan.priorities.reduce((n, p) => n + p.commitments.length, 0);
  return `${plan.title} (${plan.periodStart} – ${plan.periodEnd}, ${plan.status}): ${plan.priorities.length} priorities, ${commitments} commitments`;
}

export function describe(problem: Problem): string {
  return `${problem.status ?? "?"} ${problem.title ?? ""}: ${problem.detail ?? ""} (trace ${problem.traceId ?? "-"})`;
}

export const check: (r: PlanResponse) => PlanDocument = (r) => r;

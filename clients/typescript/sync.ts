// A partner's first program, run by .ci/run against the demo service: read the current plan, page a list, push
// observations and read them back, with openapi-fetch and the types openapi-typescript generates from openapi/v1.json.
// It compiles only while the contract types every JSON body (a list that also answers CSV is read as JSON by asking
// the client for JSON media types: createClient<paths, `${string}/json`>).
//   npm run --silent client:ts -- http://127.0.0.1:5080
import createClient from "openapi-fetch";
import type { components, paths } from "./csp-api";

type Commitment = components["schemas"]["Commitment"];

const baseUrl = process.argv[2] ?? "http://127.0.0.1:5080";
const partnership = "southwark";
const readKey = "csp_demoreader_southwark-demo-read-key-not-secret";
const feedKey = "csp_demopolice_southwark-demo-met-feed-key-not-secret";

const reader = createClient<paths, `${string}/json`>({ baseUrl, headers: { "X-Api-Key": readKey } });
const feed = createClient<paths, `${string}/json`>({ baseUrl, headers: { "X-Api-Key": feedKey } });

function fail(what: string, detail: unknown): never {
  console.error(`FAILED ${what}: ${JSON.stringify(detail)}`);
  process.exit(1);
}

// 1. The whole plan in one request.
const plan = await reader.GET("/v1/partnerships/{partnership}/plans/current", { params: { path: { partnership } } });
if (!plan.data) fail("read the current plan", plan.error);
const commitmentCount = plan.data.priorities.reduce((n, p) => n + p.commitments.length, 0);
console.log(`plan "${plan.data.title}" (${plan.data.status}): ${plan.data.priorities.length} priorities, ${commitmentCount} commitments`);

// 2. Page a list (which also answers text/csv) with its cursor, two at a time.
const paged: Commitment[] = [];
let cursor: string | undefined;
let pages = 0;
do {
  const page = await reader.GET("/v1/partnerships/{partnership}/plans/{planId}/commitments", {
    params: { path: { partnership, planId: plan.data.id }, query: { limit: 2, cursor } },
  });
  if (!page.data) fail(`read page ${pages + 1} of the plan's commitments`, page.error);
  paged.push(...page.data.items);
  cursor = page.data.nextCursor ?? undefined;
  pages++;
} while (cursor !== undefined && pages < 100);
if (paged.length !== commitmentCount || new Set(paged.map((c) => c.id)).size !== commitmentCount)
  fail("page through the commitments", { paged: paged.length, inPlan: commitmentCount });
console.log(`paged ${paged.length} commitments in ${pages} pages: ${paged.map((c) => c.code).join(", ")}`);

// 3. Push observations with an Idempotency-Key, and retry it as a feed would.
const value = 40 + (Date.now() % 50);
const batch = { observations: [{ indicator: "ROB-PERSONAL", period: "2024-01", value, status: "provisional" as const }] };
const key = `ci-sync-${Date.now()}`;
const pushed = await feed.POST("/v1/partnerships/{partnership}/observations", {
  params: { path: { partnership }, header: { "Idempotency-Key": key } },
  body: batch,
});
// One row is answered at once (200, the summary); a push over 10,000 rows, or sent with Prefer: respond-async, is a job (202).
const summary = pushed.data && !("state" in pushed.data) ? pushed.data : undefined;
if (!summary || summary.rejected !== 0) fail("push one observation", pushed.error ?? pushed.data);
const retried = await feed.POST("/v1/partnerships/{partnership}/observations", {
  params: { path: { partnership }, header: { "Idempotency-Key": key } },
  body: batch,
});
if (retried.response.headers.get("Idempotent-Replayed") !== "true") fail("replay the push", retried.response.status);
console.log(`pushed ROB-PERSONAL 2024-01 = ${value}: ${summary.status} (created ${summary.created}, updated ${summary.updated}); the retry was replayed`);

// 4. Read it back.
const indicators = await reader.GET("/v1/partnerships/{partnership}/indicators", { params: { path: { partnership } } });
const robbery = indicators.data?.items.find((i) => i.code === "ROB-PERSONAL");
if (!robbery) fail("find ROB-PERSONAL", indicators.error);
const series = await reader.GET("/v1/partnerships/{partnership}/indicators/{indicatorId}/observations", {
  params: { path: { partnership, indicatorId: robbery.id }, query: { from: "2024-01", to: "2024-01" } },
});
const stored = series.data?.items[0];
if (!stored || Number(stored.value) !== value) fail("read the pushed value back", series.data ?? series.error);
console.log(`read back ${stored.period} = ${stored.value}`);

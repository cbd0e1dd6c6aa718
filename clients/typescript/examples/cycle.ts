// The README's whole cycle through the typed client: publish → review → install → update, then feature and
// delist. Every call is checked by the compiler against openapi.yaml. Run it against the local API:
//   npm run cycle
//
// Environment (defaults are the local API's demo data, see the repository README):
//   MARKETPLACE_API      base URL of the API                     default http://127.0.0.1:3000
//   PUBLISHER_TOKEN      bearer token of the publisher           required (local: `cargo run -q -p local-api -- token demo-publisher`)
//   ADMIN_TOKEN          bearer token of a marketplace admin     required (local: ... token demo-admin)
//   OWNER_TOKEN          bearer token of the installing owner    required (local: ... token demo-owner)
//   PUBLISHER_WORKSPACE  the publisher's workspace              default 22222222-2222-4222-8222-222222222222 (Globex)
//   OWNER_WORKSPACE      the installing workspace                default 11111111-1111-4111-8111-111111111111 (Acme)
//   WORKSPACE_ITEM_ID    the publisher's workspace item to submit default 42 (the agent "Deploy Watcher")
//   WORKSPACE_ITEM_TYPE  its kind                                default agent
//
// The API lists no workspace items, so the one to submit comes from the environment. Every later id (the
// listing, the install) is taken from the responses. The run ends by delisting the listing, so it can be run
// again: the workspace item then has no live listing and is submitted anew.
import { createMarketplaceClient, DEFAULT_BASE_URL, type Schemas } from "../src/client.js";

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === "") throw new Error(`set ${name} (see the top of examples/cycle.ts)`);
  return value;
}

const ITEM_KINDS: readonly Schemas["ItemKind"][] = ["agent", "recipe", "skill", "llm", "tool"];
function itemKind(value: string): Schemas["ItemKind"] {
  const kind = ITEM_KINDS.find((k) => k === value);
  if (kind === undefined) throw new Error(`WORKSPACE_ITEM_TYPE must be one of ${ITEM_KINDS.join(", ")}`);
  return kind;
}

const baseUrl = process.env["MARKETPLACE_API"] || DEFAULT_BASE_URL;

/** The three callers, from the environment. */
function callers() {
  return {
    itemType: itemKind(env("WORKSPACE_ITEM_TYPE", "agent")),
    workspaceItemId: Number(env("WORKSPACE_ITEM_ID", "42")),
    publisher: createMarketplaceClient({
      baseUrl,
      token: env("PUBLISHER_TOKEN"),
      workspaceId: env("PUBLISHER_WORKSPACE", "22222222-2222-4222-8222-222222222222"),
    }),
    admin: createMarketplaceClient({ baseUrl, token: env("ADMIN_TOKEN") }),
    owner: createMarketplaceClient({
      baseUrl,
      token: env("OWNER_TOKEN"),
      workspaceId: env("OWNER_WORKSPACE", "11111111-1111-4111-8111-111111111111"),
    }),
  };
}

/** Awaits one call; prints its status, and throws with the problem document when it failed. */
async function step<T>(
  label: string,
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; status: number }> {
  const { data, error, response } = await call;
  const line = `${response.status} ${response.url.slice(baseUrl.length)}`;
  if (!response.ok || error !== undefined) {
    throw new Error(`${label}: ${line}\n${JSON.stringify(error, null, 2)}`);
  }
  console.log(`${label.padEnd(34)} ${line}`);
  return { data: data as T, status: response.status };
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`unexpected: ${what}`);
}

/** A capability manifest on one line: what the installer consents to. */
function reach(caps: Schemas["Capabilities"]): string {
  const tools = Object.entries(caps.tools).map(([app, actions]) => (actions.length ? `${app}(${actions.join(", ")})` : app));
  const models = caps.models.map((m) => (m.provider === undefined ? m.model : `${m.provider}/${m.model}`));
  const creates = Object.entries(caps.creates).map(([kind, n]) => `${n} ${kind}`);
  const list = (items: string[]) => (items.length ? items.join(", ") : "-");
  return `tools ${list(tools)}; network ${list(caps.network)}; credentials ${list(caps.credentials)}; ` +
    `models ${list(models)}; creates ${list(creates)}`;
}

async function main(): Promise<void> {
  const { itemType, workspaceItemId, publisher, admin, owner } = callers();

  // 1. The publisher submits a workspace item; it waits for review as a new listing.
  const submitted = await step(
    "1. publisher submits",
    publisher.POST("/api/marketplace/items/submit", {
      body: { item_type: itemType, item_id: workspaceItemId, category: "DevOps", changelog: "First release." },
    }),
  );
  const id = submitted.data.item_id;
  console.log(`   listing ${id}, ${submitted.data.status}, version ${submitted.data.version}`);
  console.log(`   derived capabilities: ${reach(submitted.data.capabilities)}`);

  // 2. An admin finds it in the queue (pending, oldest first) and approves it.
  const queue = await step("2. admin reads the queue", admin.GET("/api/marketplace/admin/queue", {}));
  expect(queue.data.items.some((e) => e.item_id === id && e.status === "pending"), `listing ${id} in the queue`);
  await step("   admin approves", admin.POST("/api/marketplace/items/{id}/approve", { params: { path: { id } } }));

  // 3. A workspace reads the install plan, shows what the install can reach, and installs it consenting to
  // exactly that (the plan's digest as accept_capabilities; without it an install that reaches tools, hosts,
  // credentials or models is a 409). A repeat with the same Idempotency-Key answers 200 with the same install.
  const plan = await step(
    "3. owner reads the install plan",
    owner.GET("/api/marketplace/items/{id}/install-plan", { params: { path: { id } } }),
  );
  console.log(`   ${plan.data.steps.length} steps; capabilities: ${reach(plan.data.capabilities)}`);
  const key = `cycle-${id}-${Date.now()}`;
  const install = () =>
    owner.POST("/api/marketplace/items/{id}/install", {
      params: { path: { id }, header: { "Idempotency-Key": key } },
      body: { accept_capabilities: plan.data.capabilities_digest },
    });
  const installed = await step("   owner installs, accepting them", install());
  const again = await step("   owner repeats the install", install());
  expect(installed.status === 201 && again.status === 200, "201, then 200 for the same Idempotency-Key");
  expect(again.data.install_id === installed.data.install_id, "the repeat names the same install");
  const installId = installed.data.install_id;
  console.log(`   install ${installId}: copy ${installed.data.installed.id} "${installed.data.installed.name}"`);

  // 4. The publisher ships 1.1.0; the admin rejects it with a reason; 1.1.1 is shipped and approved.
  const versions = (id: number, version: string, changelog: string) =>
    publisher.POST("/api/marketplace/items/{id}/versions", { params: { path: { id } }, body: { version, changelog } });
  await step("4. publisher ships 1.1.0", versions(id, "1.1.0", "Watches rollbacks too."));
  const rejected = await step(
    "   admin rejects it",
    admin.POST("/api/marketplace/items/{id}/reject", {
      params: { path: { id } },
      body: { reason: "Describe what changed for rollbacks." },
    }),
  );
  console.log(`   ${rejected.data.version} ${rejected.data.status}: ${rejected.data.reason ?? ""}`);
  await step("   publisher ships 1.1.1", versions(id, "1.1.1", "Watches rollbacks and alerts on them."));
  await step("   admin approves", admin.POST("/api/marketplace/items/{id}/approve", { params: { path: { id } } }));

  // 5. The workspace sees the update and applies it.
  const updates = await step("5. owner lists updates", owner.GET("/api/marketplace/updates", {}));
  const update = updates.data.updates.find((u) => u.install_id === installId);
  expect(update?.latest_version === "1.1.1", `an update of install ${installId} to 1.1.1`);
  // An update that adds to what the copy reaches needs its digest too (consent_required says so).
  const added = update?.capability_changes.added;
  console.log(`   adds: ${added ? reach(added) : "-"}; consent required: ${update?.consent_required ?? false}`);
  const applied = await step(
    "   owner applies it",
    owner.POST("/api/marketplace/installs/{install_id}/update", {
      params: { path: { install_id: installId } },
      ...(update?.consent_required ? { body: { accept_capabilities: update.capabilities_digest } } : {}),
    }),
  );
  console.log(`   install ${installId}: ${applied.data.from_version} → ${applied.data.to_version}`);

  // 6. Admins feature the listing.
  const featured = await step(
    "6. admin features it",
    admin.POST("/api/marketplace/items/{id}/feature", { params: { path: { id } }, body: { featured: true } }),
  );
  expect(featured.data.is_featured, "featured");

  // 7. Pulling back: the publisher sees where each submission stands; an admin revokes 1.1.1, and the
  // workspace that runs it is told (an advisory, with the fix once there is one). Yanking 1.0.0 too leaves
  // nothing installable.
  const submissions = await step("7. publisher lists its submissions", publisher.GET("/api/marketplace/submissions", {}));
  const mine = submissions.data.submissions.filter((s) => s.item_id === id).map((s) => `${s.version} ${s.status}`);
  console.log(`   ${mine.join(", ")}`);
  expect(mine.includes("1.1.0 rejected") && mine.includes("1.1.1 approved"), "the rejected and the approved version");
  const revoked = await step(
    "   admin revokes 1.1.1",
    admin.POST("/api/marketplace/items/{id}/revoke", {
      params: { path: { id } },
      body: { reason: "Posts deploy logs to a third party.", severity: "high", versions: ["1.1.1"] },
    }),
  );
  console.log(`   live version now: ${revoked.data.live_version ?? "none"}; installs told: ${revoked.data.affected_installs}`);
  const advisories = await step("   owner lists its advisories", owner.GET("/api/marketplace/advisories", {}));
  const advisory = advisories.data.advisories.find((a) => a.install_id === installId);
  expect(advisory?.severity === "high", `an advisory for install ${installId}`);
  await step(
    "   publisher yanks 1.0.0",
    publisher.POST("/api/marketplace/items/{id}/versions/{version}/yank", {
      params: { path: { id, version: "1.0.0" } },
      body: { reason: "Superseded." },
    }),
  );
  const refused = await owner.POST("/api/marketplace/items/{id}/install", { params: { path: { id } }, body: {} });
  expect(refused.response.status === 409, "nothing installable: 409 no_installable_version");

  // 8. The public record of all that, and its hash chain.
  const log = await step("8. anyone reads the moderation log", owner.GET("/api/marketplace/moderation-log", {}));
  const actions = log.data.entries.filter((e) => e.item.id === id).map((e) => e.action);
  console.log(`   listing ${id}: ${actions.reverse().join(", ")}`);
  const verified = await step("   and checks its chain", owner.GET("/api/marketplace/moderation-log/verify", {}));
  expect(verified.data.valid, "the chain holds");
  await step("   admin delists it", admin.DELETE("/api/marketplace/items/{id}", { params: { path: { id } } }));

  // 9. A private catalog: the owner's workspace shares with the publisher's, and nobody else sees it.
  const catalog = await step(
    "9. owner makes a private catalog",
    owner.POST("/api/marketplace/catalogs", { body: { name: `Acme internal ${Date.now()}` } }),
  );
  const catalogId = catalog.data.id;
  const publisherWorkspace = env("PUBLISHER_WORKSPACE", "22222222-2222-4222-8222-222222222222");
  await step(
    "   adds the publisher's workspace",
    owner.PUT("/api/marketplace/catalogs/{catalog_id}/workspaces/{workspace_id}", {
      params: { path: { catalog_id: catalogId, workspace_id: publisherWorkspace } },
    }),
  );
  const shared = await step("   publisher lists its catalogs", publisher.GET("/api/marketplace/catalogs", {}));
  expect(shared.data.catalogs.some((c) => c.id === catalogId && !c.is_admin), "the publisher is a member, not an admin");
  const listed = await step(
    "   and the catalog's listings",
    publisher.GET("/api/marketplace/items", { params: { query: { catalog: catalogId } } }),
  );
  expect(listed.data.items.every((item) => item.visibility === "private"), "only private listings");
  await step(
    "   owner reads the catalog's log",
    owner.GET("/api/marketplace/catalogs/{catalog_id}/moderation-log", { params: { path: { catalog_id: catalogId } } }),
  );
  await step(
    "   and takes the publisher out again",
    owner.DELETE("/api/marketplace/catalogs/{catalog_id}/workspaces/{workspace_id}", {
      params: { path: { catalog_id: catalogId, workspace_id: publisherWorkspace } },
    }),
  );

  console.log(
    `cycle complete: listing ${id} published, installed (install ${installId}), updated to 1.1.1, revoked, delisted; ` +
      `catalog ${catalogId} shared and unshared`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

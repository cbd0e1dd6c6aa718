// A typed client for the Community Marketplace API: openapi-fetch over the types that openapi-typescript
// generates from openapi.yaml (src/schema.d.ts; `npm run generate`). Every path, parameter, body and
// response is checked by the compiler against the description.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths };
export type Schemas = components["schemas"];

export const DEFAULT_BASE_URL = "http://127.0.0.1:3000";

export interface MarketplaceClientOptions {
  /** Where the API answers; the paths already start with /api/marketplace. */
  baseUrl?: string;
  /** A bearer token (API Gateway's JWT authorizer, or `cargo run -p local-api -- token SUBJECT` locally). */
  token: string;
  /** Sent as X-Workspace-ID on every request; workspace routes then need no header of their own. */
  workspaceId?: string;
  /** Another fetch (tests, retries); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

type WorkspaceHeader = "X-Workspace-ID";
/** The operation with its X-Workspace-ID header made optional (the client sends a default). */
type WorkspaceOptional<Op> = Op extends { parameters: { header: infer H } }
  ? Omit<Op, "parameters"> & {
      parameters: Omit<Op["parameters"], "header"> & {
        header?: Omit<H, WorkspaceHeader> & Partial<Pick<H & Record<WorkspaceHeader, string>, WorkspaceHeader>>;
      };
    }
  : Op;
/** `paths` for a client bound to one workspace. */
export type WorkspacePaths = {
  [P in keyof paths]: { [M in keyof paths[P]]: WorkspaceOptional<paths[P][M]> };
};

export type MarketplaceClient = Client<paths>;
export type WorkspaceClient = Client<WorkspacePaths>;

/** A client for one caller; with `workspaceId`, also bound to that workspace. */
export function createMarketplaceClient(options: MarketplaceClientOptions & { workspaceId: string }): WorkspaceClient;
export function createMarketplaceClient(options: MarketplaceClientOptions & { workspaceId?: undefined }): MarketplaceClient;
export function createMarketplaceClient(options: MarketplaceClientOptions): MarketplaceClient | WorkspaceClient {
  const headers: Record<string, string> = { Authorization: `Bearer ${options.token}` };
  if (options.workspaceId !== undefined) headers["X-Workspace-ID"] = options.workspaceId;
  return createClient<paths>({
    baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

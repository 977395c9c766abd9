// The two ways the app talks to Rapport: queries and mutations over HTTP (fetch), and
// subscriptions over WebSocket (graphql-ws, the graphql-transport-ws protocol). Both send the
// same API key: in the Authorization header, and in `connection_init` for the socket, since a
// browser cannot set headers on a WebSocket.
import { createClient, type Client } from "graphql-ws";
import type { TypedDocumentString } from "./gql/graphql";
import { loadSettings, socketUrl, type Settings } from "./settings";

interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string };
}

/** A request the API refused or could not answer; `code` is the API's error code when it sent one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function authorization(settings: Settings): string {
  return `Bearer ${settings.apiKey}`;
}

function firstError(errors: readonly GraphQLErrorBody[]): ApiError {
  const [error] = errors;
  return new ApiError(error?.message ?? "unknown error", error?.extensions?.code ?? null);
}

export async function execute<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const settings = loadSettings();
  let response: Response;
  try {
    response = await fetch(settings.apiUrl, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json",
        Authorization: authorization(settings),
      },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
  } catch {
    throw new ApiError(`cannot reach ${settings.apiUrl} (is the server running, and does it allow this origin?)`);
  }
  const body = (await response.json().catch(() => null)) as {
    data?: TResult | null;
    errors?: GraphQLErrorBody[];
  } | null;
  if (body?.errors?.length) throw firstError(body.errors);
  if (!response.ok || body?.data == null) {
    throw new ApiError(`the API answered HTTP ${response.status}`);
  }
  return body.data;
}

export type SocketStatus = "connecting" | "live" | "offline";

let socket: { client: Client; settings: string } | null = null;
let status: SocketStatus = "offline";
const statusListeners = new Set<(status: SocketStatus) => void>();
const reconnectListeners = new Set<() => void>();

function setStatus(next: SocketStatus): void {
  status = next;
  for (const listener of statusListeners) listener(next);
}

/** One socket for all subscriptions, opened on the first and replaced when the settings change. */
function socketClient(): Client {
  const settings = loadSettings();
  const identity = JSON.stringify(settings);
  if (socket?.settings === identity) return socket.client;
  void socket?.client.dispose();
  const client = createClient({
    url: socketUrl(settings.apiUrl),
    connectionParams: { Authorization: authorization(settings) },
    retryAttempts: Infinity,
    // A refused key closes the socket with 4403: retrying the same key cannot help.
    shouldRetry: (event) => !(event instanceof CloseEvent && event.code === 4403),
    on: {
      connecting: () => setStatus("connecting"),
      connected: (_socket, _payload, wasRetry) => {
        setStatus("live");
        // Nothing is replayed after a reconnection: screens query again for what they missed.
        if (wasRetry) for (const listener of reconnectListeners) listener();
      },
      closed: () => setStatus("offline"),
    },
  });
  socket = { client, settings: identity };
  return client;
}

export function onSocketStatus(listener: (status: SocketStatus) => void): () => void {
  statusListeners.add(listener);
  listener(status);
  return () => statusListeners.delete(listener);
}

export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

/** Calls `next` with each event until the returned function is called. */
export function subscribe<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  next: (data: TResult) => void,
  fail: (error: ApiError) => void,
): () => void {
  return socketClient().subscribe<TResult>(
    { query: document.toString(), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors?.length) fail(firstError(result.errors));
        else if (result.data) next(result.data);
      },
      error: (error) => {
        if (Array.isArray(error)) fail(firstError(error as GraphQLErrorBody[]));
        else if (error instanceof CloseEvent) fail(new ApiError(`connection closed (${error.code} ${error.reason})`));
        else fail(new ApiError(String(error)));
      },
      complete: () => undefined,
    },
  );
}

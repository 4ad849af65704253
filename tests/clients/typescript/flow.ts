/**
 * The integration flow of docs/integration.md, through a TypeScript client generated from jikimi's
 * own OpenAPI document (openapi-typescript for the types, openapi-fetch for the calls): a sign-up
 * sent twice with one Idempotency-Key, a read for a purpose, a refused read and its reason, the
 * withdrawal, and the signed `subject.withdrawn` event at the service's own receiver.
 *
 * Configuration from the environment: JIKIMI_URL, JIKIMI_LOGIN, JIKIMI_PASSWORD, EVENTS_PORT and
 * EVENTS_SECRET. Prints one JSON line; exits 0 only when every check held. Run by
 * tests/clients/test_typescript_client.py against a real `jikimi serve`; the regions marked below
 * are quoted in docs/integration.md, and a test keeps them identical.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import createClient from "openapi-fetch";

import type { components, paths } from "./schema.js";

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

// region: client
const jikimi = createClient<paths>({ baseUrl: process.env.JIKIMI_URL });

async function logIn(login: string, password: string): Promise<void> {
  const { data, error } = await jikimi.POST("/v1/login", { body: { login, password } });
  if (error) throw new Error(`jikimi login refused: ${error.error.code}`); // 401, 423 locked, 429
  const token = data.token; // valid 12 hours by default: log in again on a 401
  jikimi.use({
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  });
}
// endregion

// region: signup
type SignUpForm = components["schemas"]["CollectIn"]["data"];

/** Collects a new member as the policy's `signup` context says. The service stores only the
 * subject id; a retry (a timeout, a crash) sends the same key and body and gets the first answer. */
async function signUp(form: SignUpForm, marketing: boolean, idempotencyKey: string) {
  const { data, error, response } = await jikimi.POST("/v1/subjects", {
    params: { header: { "Idempotency-Key": idempotencyKey } },
    body: { context: "signup", data: form, consents: { marketing }, channel: "web" },
  });
  if (error) {
    // 409 vault.duplicate: already a member (error.field names the look-up item);
    // 422 vault.invalid / request.invalid: show the message next to the input error.field
    throw new Error(`sign-up refused: ${response.status} ${error.error.code} ${error.error.field ?? ""}`);
  }
  const replayed = response.headers.get("Idempotent-Replayed") === "true";
  return { subjectId: data.subject_id, replayed };
}
// endregion

// region: read
type Read = { values: Record<string, string> } | { denied: string };

/** Reads items for one purpose; a 403 is the gate's answer, with a reason to act on. */
async function readFor(subjectId: string, items: string[], purpose: string): Promise<Read> {
  const { data, error, response } = await jikimi.POST("/v1/subjects/{subject_id}/read", {
    params: { path: { subject_id: subjectId } },
    body: { items, purpose },
  });
  if (data) return { values: data.values };
  if (response.status === 403 && error.error.reason) return { denied: error.error.reason };
  throw new Error(`read failed: ${response.status} ${error.error.code}`);
}
// endregion

// region: withdraw
async function withdraw(subjectId: string, idempotencyKey: string) {
  const { data, error, response } = await jikimi.POST("/v1/subjects/{subject_id}/withdraw", {
    params: { path: { subject_id: subjectId }, header: { "Idempotency-Key": idempotencyKey } },
    body: { reason: "member_request" },
  });
  if (error) throw new Error(`withdrawal refused: ${response.status} ${error.error.code}`);
  return data; // what was destroyed at once, and what is kept apart until when
}
// endregion

// region: pull
/** The events after the last position handled (a service without a webhook, or catching up after
 * downtime): handle `events` in order, then keep `next` as the position to ask after. */
async function eventsAfter(position: number) {
  const { data, error, response } = await jikimi.GET("/v1/events", {
    params: { query: { after: position, limit: 100 } },
  });
  if (error) throw new Error(`events refused: ${response.status} ${error.error.code}`);
  return data;
}
// endregion

// region: verify
const TOLERANCE_SECONDS = 300;

/** Whether a delivery is jikimi's and fresh: `v1=` + hex HMAC-SHA256 of "<timestamp>.<raw body>"
 * under the shared secret, compared in constant time, sent within five minutes of now. */
function verifySignature(
  secret: string,
  timestamp: string,
  rawBody: Buffer,
  signature: string,
  nowSeconds: number = Date.now() / 1000,
): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const mac = createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex");
  const expected = Buffer.from(`v1=${mac}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
// endregion

// region: receiver
type JikimiEvent = {
  id: string;
  type: string;
  subject_id: string | null;
  occurred_at: string;
  position: number;
  data: Record<string, unknown>;
};
type Delivery = { timestamp: string; signature: string; body: Buffer };

/** The service's endpoint for jikimi's events (JIKIMI_EVENTS_URL). Delivery is at least once: an
 * event already handled (the same id) is acknowledged again and not handled twice. */
function eventReceiver(secret: string, handle: (event: JikimiEvent, delivery: Delivery) => void): Server {
  const handled = new Set<string>(); // a real service keeps these ids in its database
  return createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const delivery: Delivery = {
        timestamp: String(request.headers["x-jikimi-timestamp"] ?? ""),
        signature: String(request.headers["x-jikimi-signature"] ?? ""),
        body: Buffer.concat(chunks), // the raw bytes: verify before parsing
      };
      if (!verifySignature(secret, delivery.timestamp, delivery.body, delivery.signature)) {
        response.writeHead(401).end();
        return;
      }
      const event = JSON.parse(delivery.body.toString("utf8")) as JikimiEvent;
      if (!handled.has(event.id)) {
        handle(event, delivery);
        handled.add(event.id);
      }
      response.writeHead(204).end(); // any 2xx: delivered; anything else is retried later
    });
  });
}
// endregion

const MEMBER: SignUpForm = {
  name: "홍길동",
  birthdate: "1990-01-01",
  login_id: "hong",
  password: "secret-pass-1",
  mobile: "010-1234-5678",
  email: "hong@example.com",
  ci: "CI" + "A".repeat(86),
};

const checks: Record<string, boolean> = {};
const timings: Record<string, number> = {};
const started = performance.now();

function check(name: string, held: boolean): void {
  checks[name] = held;
  timings[name] = Math.round(performance.now() - started);
}

async function eventually<T>(find: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined || Date.now() > until) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function flow(): Promise<Record<string, unknown>> {
  const secret = setting("EVENTS_SECRET");
  const events: Array<{ event: JikimiEvent; delivery: Delivery }> = [];
  const receiver = eventReceiver(secret, (event, delivery) => events.push({ event, delivery }));
  const port = Number(setting("EVENTS_PORT"));
  await new Promise<void>((resolve) => receiver.listen(port, "127.0.0.1", resolve));
  try {
    await logIn(setting("JIKIMI_LOGIN"), setting("JIKIMI_PASSWORD"));
    check("logged_in", true);

    const key = `signup-${randomUUID()}`;
    const first = await signUp(MEMBER, false, key);
    const again = await signUp(MEMBER, false, key); // the same key and body: the first answer again
    check("same_subject_twice", first.subjectId === again.subjectId);
    check("second_replayed", !first.replayed && again.replayed);
    const subjectId = first.subjectId;

    const read = await readFor(subjectId, ["name", "email"], "membership");
    check("read_for_purpose", "values" in read && read.values.email === MEMBER.email);
    const refused = await readFor(subjectId, ["email"], "marketing");
    check("refused_without_consent", "denied" in refused && refused.denied === "consent_missing");

    const withdrawn = await withdraw(subjectId, `withdraw-${randomUUID()}`);
    check("withdrawn", withdrawn.subject_id === subjectId);
    const after = await readFor(subjectId, ["name"], "membership");
    check("refused_after_withdrawal", "denied" in after && after.denied === "withdrawn");

    const got = await eventually(
      () => events.find((e) => e.event.type === "subject.withdrawn" && e.event.subject_id === subjectId),
      60_000,
    );
    check("event_received", got !== undefined);
    if (got) {
      const { timestamp, signature, body } = got.delivery;
      const sent = Number(timestamp);
      const tampered = Buffer.concat([body, Buffer.from(" ")]);
      check("event_id_shape", /^evt_[0-9a-f]{24}$/.test(got.event.id));
      check("signature_verified", verifySignature(secret, timestamp, body, signature));
      check("tampered_body_refused", !verifySignature(secret, timestamp, tampered, signature));
      check("wrong_secret_refused", !verifySignature(`${secret}x`, timestamp, body, signature));
      const late = sent + TOLERANCE_SECONDS + 1;
      check("stale_timestamp_refused", !verifySignature(secret, timestamp, body, signature, late));
    }
    if (got) {
      const page = await eventsAfter(got.event.position - 1); // the same event, pulled
      const pulled = page.events.find((e) => e.id === got.event.id);
      check("pulled_same_event", pulled?.type === "subject.withdrawn" && pulled.subject_id === subjectId);
      const later = await eventsAfter(page.next);
      const onlyLater = later.events.every((e) => e.position > page.next);
      check("pulled_after_next", page.next >= got.event.position && onlyLater);
    }
    const event = got ? { id: got.event.id, type: got.event.type, position: got.event.position } : null;
    return { subject_id: subjectId, event };
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}

flow().then(
  (result) => {
    const ok = Object.values(checks).every(Boolean);
    console.log(JSON.stringify({ ok, checks, timings_ms: timings, ...result }));
    process.exit(ok ? 0 : 1);
  },
  (failure: unknown) => {
    console.log(JSON.stringify({ ok: false, checks, timings_ms: timings, error: String(failure) }));
    process.exit(1);
  },
);

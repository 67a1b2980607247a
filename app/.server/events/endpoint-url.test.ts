// Where an endpoint may point: the URL's shape in every mode, and in hosted
// mode never a private, loopback or link-local address, at creation and at
// delivery (a name that resolved to a public address may not later resolve
// to a private one and be called).
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WebhookReceiver } from "../../../test/fakes/webhook-receiver";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { DEFAULT_WEBHOOK_DELIVERY, deliverDueWebhooks } from "./delivery";
import { userCreated } from "./domain-events";
import { parseEndpointInput } from "./endpoint-input";
import { checkEndpointUrl, isPrivateAddress, validateEndpointUrl, type Resolver } from "./endpoint-url";
import { createEndpoint } from "./endpoints";
import { fanOutEvents } from "./fanout";

const message = async (raw: string, hosted: boolean, resolver?: Resolver) => {
  const checked = await validateEndpointUrl(raw, hosted, resolver);
  return checked.ok ? null : checked.message;
};
const publicDns: Resolver = async () => [{ address: "93.184.215.14", family: 4 }];

describe("endpoint URLs", () => {
  it("refuses what is not an http(s) URL, too long, or carries credentials, with a message that says so", async () => {
    expect(await message("ftp://example.com/hooks", false)).toMatch(/must start with https:\/\//);
    expect(await message("javascript:alert(1)", false)).toMatch(/must start with https:\/\//);
    expect(await message("not a url", false)).toMatch(/not a URL/);
    expect(await message(`https://example.com/${"a".repeat(2000)}`, false)).toMatch(/too long: at most 2000/);
    expect(await message("https://user:secret@example.com/hooks", false)).toMatch(/user name or password/);
    expect(await message("", false)).toMatch(/Enter the URL/);
    expect(checkEndpointUrl("https://example.com/hooks?x=1")).toMatchObject({ ok: true });
  });

  it("in hosted mode refuses loopback, private and link-local addresses, written out or behind a name", async () => {
    for (const raw of ["http://127.0.0.1:3000/hooks", "http://[::1]/hooks", "http://10.1.2.3/", "http://192.168.1.10/", "http://169.254.169.254/latest/meta-data", "http://[fe80::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/"]) {
      expect(await message(raw, true), raw).toMatch(/private, loopback or link-local/);
    }
    expect(await message("http://localhost:3000/hooks", true)).toMatch(/private, loopback or link-local/);
    // A name with one public and one private address could be steered to the private one.
    expect(await message("https://mixed.example/hooks", true, async () => [{ address: "93.184.215.14", family: 4 }, { address: "10.0.0.5", family: 4 }])).toMatch(/private/);
    expect(await message("https://hooks.example.com/in", true, publicDns)).toBeNull();
    expect(await message("https://no-such-host.invalid/in", true, async () => Promise.reject(new Error("ENOTFOUND")))).toMatch(/could not be found/);
  });

  it("in self-hosted mode allows addresses inside the network", async () => {
    expect(await message("http://127.0.0.1:3000/hooks", false)).toBeNull();
    expect(await message("http://siem.corp.internal/collect", false)).toBeNull();
  });

  it("knows which addresses are private", () => {
    for (const address of ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.0.1", "169.254.169.254", "100.64.0.1", "::1", "fc00::1", "fe80::1", "::ffff:10.0.0.1"]) expect(isPrivateAddress(address), address).toBe(true);
    for (const address of ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "172.32.0.1"]) expect(isPrivateAddress(address), address).toBe(false);
  });

  it("checks an org endpoint's events against what an org may receive", async () => {
    const parsed = await parseEndpointInput({ url: "https://example.com/x", description: "", eventTypes: ["user.created"] }, { orgId: "00000000-0000-4000-8000-000000000000", hosted: false });
    expect(parsed).toMatchObject({ ok: false, errors: { eventTypes: expect.stringMatching(/cannot receive: user\.created/) } });
    expect(await parseEndpointInput({ url: "https://example.com/x", description: "", eventTypes: [] }, { orgId: null, hosted: false })).toMatchObject({ ok: false, errors: { eventTypes: "Choose at least one event." } });
  });
});

describe("delivery in hosted mode", () => {
  const db = connect(workerDatabaseUrl());
  const receiver = new WebhookReceiver();
  let url: string;
  beforeAll(async () => {
    url = await receiver.start();
  });
  afterAll(async () => {
    await Promise.all([db.destroy(), receiver.stop()]);
  });
  beforeEach(async () => {
    await truncateAll(db);
    receiver.reset();
  });
  const hosted = { ...DEFAULT_WEBHOOK_DELIVERY, hosted: true };
  const logger = pino({ level: "silent" });

  it("refuses at delivery time an endpoint that resolves to a private address now, and connects to nothing", async () => {
    // Saved while its name pointed at a public address (or by a self-hosted config), it points at 127.0.0.1 now.
    await createEndpoint(db, { orgId: null, url: url.replace("127.0.0.1", "rebinding.example"), description: "", eventTypes: ["user.created"], createdBy: null, audit: null });
    await userCreated(db, { id: crypto.randomUUID(), email: "a@example.com", name: null, emailVerified: false });
    await fanOutEvents(db);
    const pass = await deliverDueWebhooks({ db, logger, settings: hosted, resolver: async () => [{ address: "127.0.0.1", family: 4 }] });
    expect(pass).toMatchObject({ claimed: 1, retrying: 1 });
    expect(receiver.received).toHaveLength(0);
    const delivery = await db.selectFrom("webhook_delivery").select(["last_error", "last_status_code"]).executeTakeFirstOrThrow();
    expect(delivery).toEqual({ last_error: expect.stringMatching(/private, loopback or link-local/), last_status_code: null });
  });

  it("connects to the address it checked, not to whatever the name resolves to next", async () => {
    // Self-hosted: the receiver on 127.0.0.1 is allowed; the name resolves (once, through our resolver) to it.
    await createEndpoint(db, { orgId: null, url: url.replace("127.0.0.1", "receiver.example"), description: "", eventTypes: ["user.created"], createdBy: null, audit: null });
    await userCreated(db, { id: crypto.randomUUID(), email: "a@example.com", name: null, emailVerified: false });
    await fanOutEvents(db);
    let lookups = 0;
    const pass = await deliverDueWebhooks({ db, logger, settings: { ...hosted, hosted: false }, resolver: async () => (lookups++, [{ address: "127.0.0.1", family: 4 }]) });
    expect(pass).toMatchObject({ delivered: 1 });
    expect(lookups).toBe(1);
    expect(receiver.received[0]!.headers.host).toMatch(/^receiver\.example:/);
  });
});
